package simulate

import (
	"encoding/json"
	"time"

	"github.com/awsmfa/awsmfa/internal/credctx"
	"github.com/awsmfa/awsmfa/internal/eval"
)

// MatrixRow is one cell of a credential-type matrix.
type MatrixRow struct {
	// Credential is the credctx row name, such as "long-term-keys".
	Credential string `json:"credential"`
	Action     string `json:"action"`
	Decision   string `json:"decision"`
	// Statement is the first deciding statement, if any.
	Statement *MatchedStatement `json:"statement,omitempty"`
	// NearMiss is the first statement that almost applied (its conditions
	// failed), if any; for the seed lesson, the Deny that long-term keys
	// slip past.
	NearMiss *MatchedStatement `json:"nearMiss,omitempty"`
	Reason   string            `json:"reason"`
}

// Matrix simulates in once per credential type and action: the request's
// MFA keys (and aws:PrincipalType, aws:TokenIssueTime) are set as the
// credential type would set them, everything else is taken from in. An
// empty actions list means in.Request.Action. Policies are parsed once.
// The principal stays in.Request.Principal: the credential types differ in
// context keys only.
func Matrix(in *Input, actions []string, creds []credctx.Row) ([]MatrixRow, error) {
	return matrixAt(in, actions, creds, time.Now())
}

func matrixAt(in *Input, actions []string, creds []credctx.Row, now time.Time) ([]MatrixRow, error) {
	var c compiler
	set, err := c.policySet(in)
	if err != nil {
		return nil, err
	}
	if len(actions) == 0 {
		actions = []string{in.Request.Action}
	}
	var rows []MatrixRow
	ctx := &eval.Context{}
	for _, row := range creds {
		for _, action := range actions {
			m := make(map[string]json.RawMessage, len(in.Request.Context)+4)
			for k, v := range in.Request.Context {
				m[k] = v
			}
			row.ApplyFor(m, action, now)
			if err := fillContext(ctx, m); err != nil {
				return nil, err
			}
			req := in.Request
			req.Action = action
			out, err := runSet(set, &req, ctx)
			if err != nil {
				return nil, err
			}
			mr := MatrixRow{Credential: row.Name, Action: action, Decision: out.Decision, Reason: out.Reason}
			if len(out.MatchedStatements) > 0 {
				s := out.MatchedStatements[0]
				mr.Statement = &s
			}
			if len(out.NearMisses) > 0 {
				s := out.NearMisses[0]
				mr.NearMiss = &s
			}
			rows = append(rows, mr)
		}
	}
	return rows, nil
}
