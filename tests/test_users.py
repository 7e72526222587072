"""``govmap user add``: web accounts in the users file, hashed, comments kept."""

from __future__ import annotations

import stat

from click.testing import CliRunner
from werkzeug.security import check_password_hash

from govmap.cli import cli
from govmap.webviz.accounts import read_users


def add(*args: str, password: str = "s3cret", env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["user", "add", *args], input=f"{password}\n{password}\n", env=env)


def test_a_new_users_file_gets_the_account_hashed_and_is_readable_by_its_owner_only(tmp_path):
    users = tmp_path / "users.toml"
    result = add("alice", "--role", "editor", "--users", str(users))
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"added alice (editor) in {users}\n")
    account = read_users(str(users))["alice"]
    assert account.role == "editor"
    assert check_password_hash(account.password_hash, "s3cret")
    assert "s3cret" not in users.read_text()
    assert stat.S_IMODE(users.stat().st_mode) == 0o600


def test_adding_a_user_keeps_the_files_comments_and_other_accounts(tmp_path):
    users = tmp_path / "users.toml"
    users.write_text('# staff accounts\n[users.bob]\npassword = "x"\nrole = "viewer"\n')
    assert add("carol d", "--users", str(users)).exit_code == 0
    text = users.read_text()
    assert text.startswith(
        '# staff accounts\n[users.bob]\npassword = "x"\nrole = "viewer"\n\n[users."carol d"]\n'
    )
    assert {name: a.role for name, a in read_users(str(users)).items()} == {
        "bob": "viewer",
        "carol d": "viewer",
    }


def test_adding_an_existing_user_changes_the_password_and_role(tmp_path):
    users = tmp_path / "users.toml"
    add("alice", "--users", str(users), password="old")
    result = add("alice", "--role", "editor", "--users", str(users), password="new")
    assert result.output.endswith(f"changed alice (editor) in {users}\n")
    account = read_users(str(users))["alice"]
    assert account.role == "editor" and check_password_hash(account.password_hash, "new")


def test_the_users_file_comes_from_govmap_users_when_not_named(tmp_path):
    users = tmp_path / "users.toml"
    assert add("alice", env={"GOVMAP_USERS": str(users)}).exit_code == 0
    assert list(read_users(str(users))) == ["alice"]


def test_without_a_users_file_the_command_says_how_to_name_one(tmp_path):
    result = add("alice", env={"GOVMAP_USERS": ""})
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: name the users file with --users FILE or GOVMAP_USERS, or the database with --neo4j URI\n"
    )


def test_a_broken_users_file_is_not_overwritten(tmp_path):
    users = tmp_path / "users.toml"
    users.write_text("[users.bob\n")
    result = add("alice", "--users", str(users))
    assert result.exit_code == 1
    assert result.output.startswith(
        f"password: \nRepeat for confirmation: \nerror: {users}: not valid TOML: "
    )
    assert users.read_text() == "[users.bob\n"


def test_a_users_file_in_a_missing_folder_is_a_message_not_a_traceback(tmp_path):
    users = tmp_path / "no-such-folder" / "users.toml"
    result = add("alice", "--users", str(users))
    assert result.exit_code == 2
    assert result.output.endswith(
        f"error: cannot create the users file {users}: No such file or directory"
        " (check the folder exists and is writable, or give another --users FILE)\n"
    )
    assert not users.parent.exists()


def test_user_add_help_says_the_app_rereads_the_users_file_by_itself():
    result = CliRunner().invoke(cli, ["user", "add", "--help"])
    text = " ".join(result.output.split())
    assert "restart" not in text
    assert "A running app reads the changed file by itself" in text
