// Package policy is the IAM policy model: the typed form of a policy document
// (identity, resource/trust, permissions boundary, SCP, RCP or session policy),
// a position-aware parser that reports file, line and column for every error,
// and a printer whose output parses back to the same document.
//
// The model keeps what AWS accepts in more than one shape (a string or a list,
// a string, boolean or number) so a document round-trips; evaluation and lint
// live in their own packages (internal/eval, internal/lint).
package policy

import "fmt"

// Pos is a position in a source file. Line and Column are 1-based; Column
// counts bytes. The zero Pos means "unknown".
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

// IsValid reports whether the position is known.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Effect is a statement's Effect.
type Effect string

const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Document is one policy document.
type Document struct {
	// File is the name the document was read from (for messages only).
	File string
	// Version is the policy language version ("2012-10-17", "2008-10-17" or
	// empty when the element is absent). Policy variables are only expanded
	// under 2012-10-17.
	Version string
	ID      string
	// HasID reports whether an Id element was present (it may be empty).
	HasID bool
	// Statements in document order.
	Statements []*Statement
	// StatementSingle is true when Statement was a single object, not a list.
	StatementSingle bool
	Pos             Pos
	// Element positions (zero when absent).
	VersionPos, IDPos, StatementPos Pos
}

// Statement is one element of a document's Statement.
type Statement struct {
	// Index is the 0-based position of the statement within its document.
	Index  int
	Sid    string
	HasSid bool
	Effect Effect

	// At most one of Principal/NotPrincipal is non-nil.
	Principal    *Principal
	NotPrincipal *Principal

	// Exactly one of Action/NotAction is present in a valid statement; the
	// same holds for Resource/NotResource except in trust policies and other
	// resource policies, where both may be absent.
	Action      StringList
	NotAction   StringList
	Resource    StringList
	NotResource StringList

	// Conditions, flattened: one entry per operator and key, in document
	// order. All entries must match for the statement to apply.
	Conditions []Condition
	// ConditionPos is the position of the Condition element (zero if absent).
	ConditionPos Pos

	Pos Pos
	// Element positions (zero when absent).
	SidPos, EffectPos Pos
}

// Label names the statement for people: its Sid, or its 0-based index.
func (s *Statement) Label() string {
	if s.Sid != "" {
		return s.Sid
	}
	return fmt.Sprintf("#%d", s.Index)
}

// StringList is an element that AWS accepts as a string or a list of strings
// (Action, Resource, principal values, ...).
type StringList struct {
	Values []string
	// Present is true when the element appeared in the document.
	Present bool
	// Single is true when the element was written as a bare string.
	Single bool
	Pos    Pos
	// ValuePos holds the position of each value (same length as Values).
	ValuePos []Pos
}

// Principal is the value of Principal or NotPrincipal.
type Principal struct {
	// Wildcard is true for the bare string "*" (everyone, including anonymous).
	Wildcard bool
	// Entries in document order: "AWS", "Service", "Federated",
	// "CanonicalUser", each with a string or a list of strings.
	Entries []PrincipalEntry
	Pos     Pos
}

// PrincipalEntry is one principal type and its values.
type PrincipalEntry struct {
	Type   string
	Values StringList
	Pos    Pos
}

// ValueKind is the JSON type a condition value was written with.
type ValueKind int

const (
	KindString ValueKind = iota
	KindBool
	KindNumber
)

func (k ValueKind) String() string {
	switch k {
	case KindBool:
		return "boolean"
	case KindNumber:
		return "number"
	default:
		return "string"
	}
}

// Value is one condition value, as written. Raw is the value's text without
// JSON quoting: `true` and `"true"` both have Raw "true" and differ in Kind.
type Value struct {
	Raw  string
	Kind ValueKind
	Pos  Pos
}

// Condition is one condition operator applied to one key.
type Condition struct {
	// Operator is the operator exactly as written, such as
	// "ForAnyValue:StringLikeIfExists".
	Operator string
	// Op is the parsed operator.
	Op Operator
	// Key is the condition key exactly as written (keys match
	// case-insensitively).
	Key string
	// Values in document order; ValuesSingle is true when written as a
	// scalar rather than a list.
	Values       []Value
	ValuesSingle bool

	OperatorPos Pos
	KeyPos      Pos
}

// SetOperator is the ForAllValues/ForAnyValue qualifier of an operator.
type SetOperator int

const (
	SetNone SetOperator = iota
	ForAllValues
	ForAnyValue
)

func (s SetOperator) String() string {
	switch s {
	case ForAllValues:
		return "ForAllValues"
	case ForAnyValue:
		return "ForAnyValue"
	}
	return ""
}

// Operator is a parsed condition operator: the base operator, an optional set
// qualifier and an optional IfExists suffix.
type Operator struct {
	// Base is the canonical base operator name, such as "StringLike" or
	// "Bool" (see BaseOperators).
	Base     string
	Set      SetOperator
	IfExists bool
}

// BaseOperators lists every base condition operator IAM accepts, in canonical
// spelling. Source: IAM User Guide, "IAM JSON policy elements: Condition
// operators"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
var BaseOperators = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
	"StringLike", "StringNotLike",
	"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
	"NumericGreaterThan", "NumericGreaterThanEquals",
	"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
	"DateGreaterThan", "DateGreaterThanEquals",
	"Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
	"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
	"Null",
}
