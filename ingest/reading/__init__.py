"""Reading a register: YAML safely, validation, positions, the loader."""
