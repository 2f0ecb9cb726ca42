package policy

// Node is a position-annotated JSON value. The JSON parser in this package
// produces Nodes; other front ends (YAML CloudFormation templates, JSON
// strings embedded in Terraform plans) build Nodes too, so that one builder
// (FromNode) validates every policy and reports positions in the file the
// user wrote.
type Node struct {
	Kind NodeKind
	// Str holds the string value of a NodeString, and the literal text of a
	// NodeNumber or NodeBool ("12", "1.5", "true").
	Str string
	// Members of a NodeObject, in document order (duplicates preserved so the
	// builder can report them).
	Members []Member
	// Items of a NodeArray.
	Items []*Node
	Pos   Pos
}

// Member is one key/value pair of a JSON object.
type Member struct {
	Key    string
	KeyPos Pos
	Value  *Node
}

// NodeKind is the JSON type of a Node.
type NodeKind int

const (
	NodeNull NodeKind = iota
	NodeString
	NodeNumber
	NodeBool
	NodeObject
	NodeArray
)

func (k NodeKind) String() string {
	switch k {
	case NodeString:
		return "string"
	case NodeNumber:
		return "number"
	case NodeBool:
		return "boolean"
	case NodeObject:
		return "object"
	case NodeArray:
		return "array"
	}
	return "null"
}
