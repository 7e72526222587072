// Saved queries for governance reviewers: paste one into Neo4j Browser or Bloom.
// Each starts with a "// name:" line; parameters ($a, $b, $min) are set in
// Browser with  :param a => 'lancashire-csp-board'  before running.

// name: bodies-sharing-members
// Pairs of bodies that share at least $min members (default 2): interlocks.
MATCH (a:Body)<-[:MEMBER_OF]-(m)-[:MEMBER_OF]->(b:Body)
WHERE a.id < b.id
WITH a, b, collect(DISTINCT m.name) AS shared
WHERE size(shared) >= coalesce($min, 2)
RETURN a.name AS body, b.name AS other, size(shared) AS shared_members, shared
ORDER BY shared_members DESC, body, other;

// name: themes-with-no-lead
// Themes that no body or strategy addresses as lead.
MATCH (t:Theme)
WHERE NOT EXISTS { MATCH (t)<-[r:ADDRESSES]-() WHERE r.role = 'lead' }
OPTIONAL MATCH (t)<-[:ADDRESSES]-(x)
RETURN t.subtype AS kind, t.name AS theme, collect(x.name) AS addressed_by
ORDER BY kind, theme;

// name: path-between-bodies
// The shortest chain of links between two records, ignoring direction.
MATCH (a:Entity {id: $a}), (b:Entity {id: $b})
MATCH p = shortestPath((a)-[*..8]-(b))
RETURN [n IN nodes(p) | n.name] AS names, [r IN relationships(p) | type(r)] AS links;

// name: seat-load-by-organisation
// How many bodies each organisation sits on (meeting burden), most first.
MATCH (o:Organisation)-[m:MEMBER_OF]->(b:Body)
RETURN o.name AS organisation, count(DISTINCT b) AS seats,
       sum(CASE WHEN m.status = 'unconfirmed' THEN 1 ELSE 0 END) AS unconfirmed
ORDER BY seats DESC, organisation;
