package lab

import (
	"net/http"
	"strconv"

	"github.com/awsmfa/awsmfa/internal/credctx"
	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/lab/store"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// hasMFAContext reports whether credentials of the row carry
// aws:MultiFactorAuthPresent = "true".
func hasMFAContext(row credctx.Row) bool {
	k, ok := row.Key(credctx.KeyMFAPresent)
	return ok && k.Present && k.Value == "true"
}

// withKeys returns keys with the entries of over replacing those of the
// same name.
func withKeys(keys, over []credctx.Key) []credctx.Key {
	out := make([]credctx.Key, 0, len(keys))
	for _, k := range keys {
		for _, o := range over {
			if o.Name == k.Name {
				k = o
				break
			}
		}
		out = append(out, k)
	}
	return out
}

func policySizeOf(doc string) int {
	n := 0
	for _, r := range doc {
		switch r {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}

// sessionPolicyParam reads AssumeRole's Policy and PolicyArns.member.N.arn
// parameters and combines them into one session policy document (the
// session may do what any of them allows, within the role's policies).
func (s *Server) sessionPolicyParam(p params) (string, *eval.Policy, error) {
	doc := p.get("Policy")
	var arns []string
	for i := 1; ; i++ {
		v, ok := p["PolicyArns.member."+strconv.Itoa(i)+".arn"]
		if !ok {
			break
		}
		arns = append(arns, v)
	}
	if !p.has("Policy") && len(arns) == 0 {
		return "", nil, nil
	}
	if p.has("Policy") && len(doc) > maxSessionPolicy {
		return "", nil, constraintError("[policy]", "policy", "must have length less than or equal to 2048")
	}
	var docs []*policy.Document
	if p.has("Policy") {
		d, err := store.ParsePolicy(doc, policy.KindSession)
		if err != nil {
			return "", nil, errSender(http.StatusBadRequest, store.CodeMalformedPolicyDocument, err.(*store.Error).Message)
		}
		docs = append(docs, d)
	}
	for _, arn := range arns {
		mp, err := s.st.GetPolicy(arn)
		if err != nil {
			return "", nil, errSender(http.StatusBadRequest, "InvalidParameterValue", "The policy "+truncate(arn, 2048)+" does not exist or is not attachable.")
		}
		v, err := s.st.GetPolicyVersion(mp.ARN, mp.DefaultVersion)
		if err != nil {
			return "", nil, err
		}
		d, err := store.ParsePolicy(v.Document, policy.KindSession)
		if err != nil {
			return "", nil, err
		}
		docs = append(docs, d)
	}
	merged := docs[0]
	if len(docs) > 1 {
		merged = &policy.Document{Version: docs[0].Version}
		for _, d := range docs {
			merged.Statements = append(merged.Statements, d.Statements...)
		}
	}
	text := string(policy.Format(merged))
	if len(docs) == 1 && p.has("Policy") {
		text = doc
	}
	compiled, err := eval.Compile(merged)
	if err != nil {
		return "", nil, errSender(http.StatusBadRequest, store.CodeMalformedPolicyDocument, err.Error())
	}
	compiled.Name = "session policy"
	return text, compiled, nil
}
