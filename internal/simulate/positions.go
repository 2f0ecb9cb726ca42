package simulate

import (
	"strconv"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// Locator maps statement positions, which Run reports relative to each
// policy document, to positions in the input file the policies came from.
type Locator struct {
	starts map[string]policy.Pos // "identity/0", "scp/1/0" -> document start
}

// NewLocator reads the input file's layout. It returns nil (a Locator that
// changes nothing) when the input is not a JSON object.
func NewLocator(input []byte) *Locator {
	n, err := policy.ParseJSON("", input)
	if err != nil || n.Kind != policy.NodeObject {
		return nil
	}
	l := &Locator{starts: map[string]policy.Pos{}}
	for _, m := range n.Members {
		switch m.Key {
		case "identityPolicies":
			l.list("identity/", m.Value)
		case "resourcePolicy":
			l.starts["resource/0"] = m.Value.Pos
		case "permissionsBoundary":
			l.starts["permissionsBoundary/0"] = m.Value.Pos
		case "sessionPolicy":
			l.starts["session/0"] = m.Value.Pos
		case "serviceControlPolicies", "resourceControlPolicies":
			layer := "scp/"
			if m.Key == "resourceControlPolicies" {
				layer = "rcp/"
			}
			if m.Value.Kind == policy.NodeArray {
				for lvl, level := range m.Value.Items {
					l.list(layer+strconv.Itoa(lvl)+"/", level)
				}
			}
		}
	}
	return l
}

func (l *Locator) list(prefix string, n *policy.Node) {
	if n.Kind != policy.NodeArray {
		return
	}
	for i, it := range n.Items {
		l.starts[prefix+strconv.Itoa(i)] = it.Pos
	}
}

// Relocate rewrites the line and column of every statement in out.
func (l *Locator) Relocate(out *Output) {
	if l == nil || out == nil {
		return
	}
	for i := range out.MatchedStatements {
		l.relocate(&out.MatchedStatements[i])
	}
	for i := range out.NearMisses {
		l.relocate(&out.NearMisses[i])
	}
}

// RelocateRows rewrites the positions in matrix rows.
func (l *Locator) RelocateRows(rows []MatrixRow) {
	if l == nil {
		return
	}
	for i := range rows {
		if rows[i].Statement != nil {
			l.relocate(rows[i].Statement)
		}
		if rows[i].NearMiss != nil {
			l.relocate(rows[i].NearMiss)
		}
	}
}

func (l *Locator) relocate(ms *MatchedStatement) {
	if ms.Line == 0 {
		return
	}
	layer := ms.Layer
	idx := ms.Policy
	if layer != "identity" && layer != "scp" && layer != "rcp" {
		idx = "0"
	}
	start, ok := l.starts[layer+"/"+idx]
	if !ok || !start.IsValid() {
		return
	}
	if ms.Line == 1 {
		ms.Column += start.Column - 1
	}
	ms.Line += start.Line - 1
}
