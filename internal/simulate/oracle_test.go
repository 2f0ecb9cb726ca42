package simulate

// Differential testing of Run against an independent IAM engine,
// @cloud-copilot/iam-simulate, driven through tools/oracle/oracle.mjs.
//
// The oracle is AGPL-licensed and is a test tool only: `make deps-npm`
// installs it into tools/oracle/node_modules; no Go code imports it. This
// file talks to it over stdin/stdout in one node process.
//
// Environment:
//
//	AWSMFA_ORACLE_DIR   the oracle directory (default ../../tools/oracle)
//	AWSMFA_DIFF_CASES   number of random cases (default 3000)
//	AWSMFA_DIFF_SEED    generator seed (default oracleDefaultSeed)
//	AWSMFA_DIFF_ONLY    run only this case index (to reproduce a report)
//	AWSMFA_DIFF_SHRINK  how many mismatches to minimise and print (default 8)
//	CI=true             a missing node or oracle fails the tests instead of skipping them

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	oracleDefaultSeed  = 20240615
	oracleDefaultCases = 3000
	// oracleDefaultShrunk is how many mismatches are minimised and printed.
	oracleDefaultShrunk = 8
)

// oracleDivergence is a KNOWN difference between the oracle and AWS, where
// Run gives AWS's documented answer and the oracle does not. Each entry
// cites the AWS documentation. applies must recognise exactly the cases the
// divergence explains.
type oracleDivergence struct {
	name    string
	url     string
	applies func(c *oracleCase) bool
}

// oracleCase is one disagreement: the input, Run's output and decision,
// the oracle's decision, and a way to ask the oracle about a variant.
type oracleCase struct {
	in           *Input
	out          *Output // nil when Run failed
	ours, oracle string
	ask          func(*Input) string
}

// oracleKnownDivergences is deliberately small.
var oracleKnownDivergences = []oracleDivergence{
	{
		// Under Version 2008-10-17, or without a Version, "variables such as
		// ${aws:username} aren't recognized as variables and are instead
		// treated as literal strings in the policy". iam-simulate expands
		// them whatever the version. The case counts only if iam-simulate
		// reaches Run's decision once those policies say 2012-10-17 and
		// write each "${" literally ("${$}{").
		name: "policy variables are literal text in a 2008-10-17 or versionless policy",
		url:  "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html",
		applies: func(c *oracleCase) bool {
			v := oracleCopy(c.in)
			changed := false
			for _, ref := range oracleDocRefs(v) {
				var m map[string]any
				if json.Unmarshal(*ref, &m) != nil || m["Version"] == "2012-10-17" || !bytes.Contains(*ref, []byte("${")) {
					continue
				}
				lit := bytes.ReplaceAll(*ref, []byte("${"), []byte("${$}{"))
				if json.Unmarshal(lit, &m) != nil {
					continue
				}
				m["Version"] = "2012-10-17"
				b, err := json.Marshal(m)
				if err != nil {
					continue
				}
				*ref = b
				changed = true
			}
			return changed && c.ask(v) == c.ours
		},
	},
	{
		// "${*} - use where you need an * (asterisk) character", likewise
		// ${?} and ${$}: special policy variables, valid wherever policy
		// variables are, StringEquals included. iam-simulate expands them
		// only in operators that take wildcards and leaves them as literal
		// text elsewhere. The case counts only if iam-simulate reaches
		// Run's decision once, outside StringLike/ArnLike, each escape is
		// written as its character.
		name: "${*}, ${?} and ${$} stand for their character in every string operator",
		url:  "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-infotouse",
		applies: func(c *oracleCase) bool {
			v := oracleCopy(c.in)
			unescape := strings.NewReplacer("${*}", "*", "${?}", "?", "${$}", "$")
			changed := false
			for _, ref := range oracleDocRefs(v) {
				var m map[string]any
				if json.Unmarshal(*ref, &m) != nil {
					continue
				}
				stmts, _ := m["Statement"].([]any)
				if one, ok := m["Statement"].(map[string]any); ok {
					stmts = []any{one}
				}
				for _, x := range stmts {
					st, _ := x.(map[string]any)
					cond, _ := st["Condition"].(map[string]any)
					for op, keys := range cond {
						km, _ := keys.(map[string]any)
						if strings.Contains(strings.ToLower(op), "like") {
							continue
						}
						for k, val := range km {
							switch t := val.(type) {
							case string:
								if u := unescape.Replace(t); u != t {
									km[k], changed = u, true
								}
							case []any:
								for i, e := range t {
									if s, ok := e.(string); ok {
										if u := unescape.Replace(s); u != s {
											t[i], changed = u, true
										}
									}
								}
							}
						}
					}
				}
				if b, err := json.Marshal(m); err == nil {
					*ref = b
				}
			}
			return changed && c.ask(v) == c.ours
		},
	},
	{
		// "By default, all requests are implicitly denied with the
		// exception of the AWS account root user, which has full access";
		// no identity-based policy can be attached to it. iam-simulate gives the root user no identity-side
		// permissions. The case counts only if, once the root user is given
		// an identity-based policy that allows everything, iam-simulate
		// reaches Run's decision: nothing else may differ.
		name: "the root user has full access without identity-based policies",
		url:  "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html",
		applies: func(c *oracleCase) bool {
			if oracleCallerKind(c.in.Request.Principal) != "root" || len(c.in.IdentityPolicies) > 0 {
				return false
			}
			v := oracleCopy(c.in)
			v.IdentityPolicies = []json.RawMessage{json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}
			return c.ask(v) == c.ours
		},
	},
	{
		// "No permissions are required for a user to get a session token.
		// ... You cannot use policies to control authentication operations."
		// iam-simulate evaluates policies for sts:GetSessionToken like any
		// other action.
		name: "sts:GetSessionToken is not controlled by policies",
		url:  "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html",
		applies: func(c *oracleCase) bool {
			in, ours := c.in, c.ours
			k := oracleCallerKind(in.Request.Principal)
			return strings.EqualFold(in.Request.Action, "sts:GetSessionToken") &&
				(k == "user" || k == "root") && ours == Allowed
		},
	},
	{
		// "if you do not pass any session policies, then the resulting
		// federated user session has no permissions." iam-simulate grants a
		// federated user session its identity policies without one.
		name: "a federated user session without a session policy has no permissions",
		url:  "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html",
		applies: func(c *oracleCase) bool {
			in, ours, oracle := c.in, c.ours, c.oracle
			if oracleCallerKind(in.Request.Principal) != "federated" || len(in.SessionPolicy) > 0 || ours != ImplicitDeny || oracle != Allowed {
				return false
			}
			// The oracle's Allow must come from the identity-based policies
			// (which the session does not get), not from a resource-based
			// policy alone.
			v := oracleCopy(in)
			v.IdentityPolicies = nil
			return c.ask(v) != Allowed
		},
	},
	{
		// "If that policy specifically references the federated user session
		// in the Principal element of the policy, the session has the
		// permissions allowed by the policy. These permissions are granted in
		// addition to the permissions that are granted by the session
		// policies." iam-simulate checks the session policy before the
		// resource-based policy.
		name: "a resource-based policy naming the session itself is not limited by the session policy",
		url:  "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html",
		applies: func(c *oracleCase) bool {
			in, out, ours, oracle := c.in, c.out, c.ours, c.oracle
			k := oracleCallerKind(in.Request.Principal)
			if (k != "session" && k != "federated") || len(in.SessionPolicy) == 0 || ours != Allowed || oracle != ImplicitDeny || out == nil {
				return false
			}
			for _, ms := range out.MatchedStatements {
				st := oracleStatement(in.ResourcePolicy, ms)
				if ms.Layer == "resource" && st != nil && ms.Effect == "Allow" &&
					oracleListed(oracleAWSPrincipals(st["Principal"]), in.Request.Principal) {
					return true
				}
			}
			return false
		},
	},
	{
		// "When you use NotPrincipal, you must also specify the account ARN
		// of the not-denied principal. Otherwise, the policy might deny
		// access to the entire account containing the principal. ... If an
		// assumed-role user is being evaluated, AWS might verify the account
		// first, then the role, and finally the assumed-role user." Run
		// exempts the caller only when each of its identities is listed;
		// iam-simulate exempts it when any one is.
		name: "NotPrincipal must list each identity of the caller",
		url:  "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
		applies: func(c *oracleCase) bool {
			in, out, ours, oracle := c.in, c.out, c.ours, c.oracle
			if ours != ExplicitDeny || oracle == ExplicitDeny || out == nil || len(in.PermissionsBoundary) > 0 {
				return false
			}
			for _, ms := range out.MatchedStatements {
				st := oracleStatement(in.ResourcePolicy, ms)
				if ms.Layer != "resource" || st == nil || ms.Effect != "Deny" {
					continue
				}
				listed := oracleAWSPrincipals(st["NotPrincipal"])
				ids := oracleCallerIdentities(in.Request.Principal)
				n := 0
				for _, id := range ids {
					if oracleListed(listed, id...) {
						n++
					}
				}
				if n > 0 && n < len(ids) {
					return true
				}
			}
			return false
		},
	},
	{
		// ForAllValues "also returns true if there are no context keys in
		// the request or if the context key value resolves to a null
		// dataset, such as an empty string"; ForAnyValue returns false for
		// an empty data set. iam-simulate compares "" like any other value.
		name: "a set operator treats an empty string as an empty data set",
		url:  "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html",
		applies: func(c *oracleCase) bool {
			in := c.in
			empty := map[string]bool{}
			for k, raw := range in.Request.Context {
				var s string
				var l []string
				if (json.Unmarshal(raw, &s) == nil && s == "") || (json.Unmarshal(raw, &l) == nil && len(l) == 1 && l[0] == "") {
					empty[strings.ToLower(k)] = true
				}
			}
			if len(empty) == 0 {
				return false
			}
			for _, doc := range oracleDocs(in) {
				for _, st := range oracleStatements(doc) {
					cond, _ := st["Condition"].(map[string]any)
					for op, keys := range cond {
						km, _ := keys.(map[string]any)
						if !strings.HasPrefix(strings.ToLower(op), "forallvalues:") && !strings.HasPrefix(strings.ToLower(op), "foranyvalue:") {
							continue
						}
						for key := range km {
							if empty[strings.ToLower(key)] {
								return true
							}
						}
					}
				}
			}
			return false
		},
	},
}

// oracleTypeWildcard is the divergence of wildcards in an ARN's resource
// type. "The asterisk (*) character can expand to replace everything
// within a segment, including characters like a forward slash (/) that may
// otherwise appear to be a delimiter within a given service namespace";
// "If the * wildcard is the last character of a resource ARN segment, it
// can expand to match beyond the colon boundaries". So
// "arn:aws:ds:*:*:*/*" matches "arn:aws:ds:us-east-1:111122223333:directory/d-1".
// iam-simulate 0.1.173 takes the resource part up to its first "/" or ":"
// ("directory/") as a literal product name (resource.js,
// getResourceSegments), so a wildcard there never matches. The case counts
// only if, once every Resource and NotResource pattern with such a
// wildcard that matches the request's resource (by Run's own answer) is
// replaced by the resource itself, iam-simulate reaches Run's decision.
var oracleTypeWildcard = oracleDivergence{
	name: oracleTypeWildcardName,
	url:  "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards",
	applies: func(c *oracleCase) bool {
		v := oracleCopy(c.in)
		res := v.Request.Resource
		changed := false
		for _, ref := range oracleDocRefs(v) {
			var m map[string]any
			if len(*ref) == 0 || json.Unmarshal(*ref, &m) != nil {
				continue
			}
			edited := false
			for _, st := range oracleStatementsOf(m) {
				for _, el := range []string{"Resource", "NotResource"} {
					if st[el] == nil {
						continue
					}
					st[el] = oracleMapStrings(st[el], func(p string) string {
						if !oracleTypeHasWildcard(p) || !oracleResourceMatches(p, res) {
							return p
						}
						edited = true
						return res
					})
				}
			}
			if edited {
				if b, err := json.Marshal(m); err == nil {
					*ref, changed = b, true
				}
			}
		}
		if !changed {
			return false
		}
		answer := c.ask(v)
		if answer == c.ours {
			return true
		}
		// Another known divergence may explain the rest (the root user's
		// full access, say), but only one that recognises the edited case
		// on its own and for which Run still answers the same.
		ours, out := oracleOurs(v)
		if ours != c.ours {
			return false
		}
		for i := range oracleKnownDivergences {
			d := &oracleKnownDivergences[i]
			if d.name != oracleTypeWildcardName && d.applies(&oracleCase{in: v, out: out, ours: ours, oracle: answer, ask: c.ask}) {
				return true
			}
		}
		return false
	},
}

const oracleTypeWildcardName = "a wildcard in an ARN's resource type spans / and : (arn:aws:ds:*:*:*/*)"

func init() { oracleKnownDivergences = append(oracleKnownDivergences, oracleTypeWildcard) }

// oracleTypeHasWildcard reports whether an ARN pattern has a wildcard in
// the part iam-simulate takes as the literal resource type: the resource
// part up to its first "/" or ":" (S3 ARNs without region and account have
// none).
func oracleTypeHasWildcard(p string) bool {
	parts := strings.SplitN(p, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || (parts[2] == "s3" && parts[3] == "" && parts[4] == "") {
		return false
	}
	i := strings.IndexAny(parts[5], "/:")
	return i >= 0 && strings.ContainsAny(parts[5][:i], "*?")
}

// oracleResourceMatches asks Run whether a Resource pattern matches a
// resource.
func oracleResourceMatches(pattern, resource string) bool {
	doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Action": "*", "Resource": pattern}}})
	// The probe is in the resource's account, so the identity-based policy
	// alone decides.
	acct := "111122223333"
	if parts := strings.SplitN(resource, ":", 6); len(parts) == 6 && parts[4] != "" {
		acct = parts[4]
	}
	out, err := Run(&Input{Request: Request{Principal: "arn:aws:iam::" + acct + ":user/probe", Action: "s3:GetObject", Resource: resource, ResourceAccount: acct},
		IdentityPolicies: []json.RawMessage{doc}})
	return err == nil && out.Decision == Allowed
}

// oracleStatementsOf returns a parsed document's statements.
func oracleStatementsOf(m map[string]any) []map[string]any {
	var out []map[string]any
	switch st := m["Statement"].(type) {
	case map[string]any:
		out = append(out, st)
	case []any:
		for _, x := range st {
			if s, ok := x.(map[string]any); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// oracleMapStrings applies f to a string or to each string of a list.
func oracleMapStrings(el any, f func(string) string) any {
	switch v := el.(type) {
	case string:
		return f(v)
	case []any:
		for i, x := range v {
			if s, ok := x.(string); ok {
				v[i] = f(s)
			}
		}
	}
	return el
}

// oracleDocs lists every policy document of an input.
func oracleDocs(in *Input) []json.RawMessage {
	docs := append([]json.RawMessage{}, in.IdentityPolicies...)
	docs = append(docs, in.ResourcePolicy, in.PermissionsBoundary, in.SessionPolicy)
	for _, l := range in.ServiceControlPolicies {
		docs = append(docs, l...)
	}
	for _, l := range in.ResourceControlPolicies {
		docs = append(docs, l...)
	}
	return docs
}

// oracleStatements returns a document's statements.
func oracleStatements(doc json.RawMessage) []map[string]any {
	var m map[string]any
	if len(doc) == 0 || json.Unmarshal(doc, &m) != nil {
		return nil
	}
	var out []map[string]any
	switch st := m["Statement"].(type) {
	case map[string]any:
		out = append(out, st)
	case []any:
		for _, x := range st {
			if s, ok := x.(map[string]any); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func oracleDivergenceFor(c *oracleCase) *oracleDivergence {
	for i := range oracleKnownDivergences {
		if oracleKnownDivergences[i].applies(c) {
			return &oracleKnownDivergences[i]
		}
	}
	return nil
}

// oracleCallerKind classifies a request principal ARN: "user", "session",
// "federated", "root" or "other".
func oracleCallerKind(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return "other"
	}
	switch {
	case parts[2] == "iam" && strings.HasPrefix(parts[5], "user/"):
		return "user"
	case parts[2] == "iam" && parts[5] == "root":
		return "root"
	case parts[2] == "sts" && strings.HasPrefix(parts[5], "assumed-role/"):
		return "session"
	case parts[2] == "sts" && strings.HasPrefix(parts[5], "federated-user/"):
		return "federated"
	}
	return "other"
}

// oracleCallerIdentities lists the identities AWS checks for a caller, each
// as the principal values that name it: the account, then the user, role or
// federated user, then (for role sessions) the session.
func oracleCallerIdentities(arn string) [][]string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return nil
	}
	acct := parts[4]
	ids := [][]string{{acct, "arn:" + parts[1] + ":iam::" + acct + ":root"}}
	if oracleCallerKind(arn) == "session" {
		role, _, _ := strings.Cut(strings.TrimPrefix(parts[5], "assumed-role/"), "/")
		ids = append(ids, []string{"arn:" + parts[1] + ":iam::" + acct + ":role/" + role})
	}
	return append(ids, []string{arn})
}

// oracleStatement returns the statement of doc that a matched statement
// refers to, or nil.
func oracleStatement(doc json.RawMessage, ms MatchedStatement) map[string]any {
	st := oracleStatements(doc)
	if ms.Statement < 0 || ms.Statement >= len(st) {
		return nil
	}
	return st[ms.Statement]
}

// oracleAWSPrincipals returns the AWS principal values of a Principal or
// NotPrincipal element ("*" for the bare wildcard).
func oracleAWSPrincipals(el any) []string {
	switch v := el.(type) {
	case string:
		return []string{v}
	case map[string]any:
		switch a := v["AWS"].(type) {
		case string:
			return []string{a}
		case []any:
			var out []string
			for _, x := range a {
				if s, ok := x.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return nil
}

func oracleListed(values []string, names ...string) bool {
	for _, v := range values {
		for _, n := range names {
			if v == n {
				return true
			}
		}
	}
	return false
}

// oracleDir returns the oracle directory, or skips (fails under CI=true)
// when node or the installed oracle is missing.
func oracleDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("AWSMFA_ORACLE_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "tools", "oracle")
	}
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not installed"
	} else if _, err := os.Stat(filepath.Join(dir, "oracle.mjs")); err != nil {
		missing = fmt.Sprintf("%s/oracle.mjs not found", dir)
	} else if _, err := os.Stat(filepath.Join(dir, "node_modules", "@cloud-copilot", "iam-simulate", "package.json")); err != nil {
		missing = fmt.Sprintf("the oracle is not installed in %s/node_modules (run `make deps-npm`)", dir)
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("differential test oracle unavailable under CI: %s", missing)
		}
		t.Skipf("differential test oracle unavailable: %s", missing)
	}
	return dir
}

// oracleAnswer is one line of oracle.mjs output.
type oracleAnswer struct {
	Decision string `json:"decision"`
	Error    string `json:"error"`
}

// oracleProc is one running oracle.mjs. Calls are serialised.
type oracleProc struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *bufio.Reader
	stderr bytes.Buffer
}

func oracleStart(t testing.TB, dir string) *oracleProc {
	t.Helper()
	p := &oracleProc{}
	p.cmd = exec.Command("node", "oracle.mjs")
	p.cmd.Dir = dir
	p.cmd.Stderr = &p.stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.out = bufio.NewReaderSize(stdout, 1<<16)
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting the oracle: %v", err)
	}
	t.Cleanup(p.close)
	return p
}

func (p *oracleProc) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	p.stdin.Close()
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
	p.cmd = nil
}

// decide sends the inputs (one JSON line each) and reads one answer each.
func (p *oracleProc) decide(inputs []*Input) ([]oracleAnswer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return nil, errors.New("oracle closed")
	}
	var buf bytes.Buffer
	for _, in := range inputs {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	werr := make(chan error, 1)
	go func() {
		_, err := p.stdin.Write(buf.Bytes())
		werr <- err
	}()
	answers := make([]oracleAnswer, len(inputs))
	for i := range answers {
		line, err := p.out.ReadBytes('\n')
		if err != nil {
			return nil, fmt.Errorf("reading oracle answer %d of %d: %v (stderr: %s)", i, len(inputs), err, oracleTail(p.stderr.String()))
		}
		if err := json.Unmarshal(line, &answers[i]); err != nil {
			return nil, fmt.Errorf("oracle answer %d: %v: %s", i, err, line)
		}
	}
	if err := <-werr; err != nil {
		return nil, fmt.Errorf("writing to the oracle: %v", err)
	}
	return answers, nil
}

// ask returns the oracle's decision for one input ("error: ..." when it
// cannot decide).
func (p *oracleProc) ask(in *Input) string {
	a, err := p.decide([]*Input{in})
	switch {
	case err != nil:
		return "error: " + err.Error()
	case a[0].Error != "":
		return "error: " + a[0].Error
	}
	return a[0].Decision
}

func oracleTail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return s
}

// oracleOurs runs Run and returns its decision, or "error: ...", and its
// output.
func oracleOurs(in *Input) (string, *Output) {
	out, err := Run(in)
	switch {
	case err != nil:
		return "error: " + err.Error(), nil
	case out == nil:
		return "error: Run returned nil", nil
	case out.Error != "":
		return "error: " + out.Error, out
	}
	return out.Decision, out
}

func oracleEnvInt(t testing.TB, name string, def int64) int64 {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return v
}

// TestOracleSanity checks the oracle wiring on hand-written cases whose AWS
// answers are documented, so a broken conversion in oracle.mjs cannot pass
// for agreement.
func TestOracleSanity(t *testing.T) {
	dir := oracleDir(t)
	p := oracleStart(t, dir)
	user := "arn:aws:iam::111122223333:user/alice"
	allowAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	// The seed lesson: a Deny on Bool aws:MultiFactorAuthPresent=false does
	// not match a request without the key (long-term keys); BoolIfExists does
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists).
	denyBool := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`
	denyIfExists := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"allow", `{"request":{"principal":"` + user + `","action":"iam:ListUsers","resource":"*"},"identityPolicies":[` + allowAll + `]}`, Allowed},
		{"no policy", `{"request":{"principal":"` + user + `","action":"iam:ListUsers","resource":"*"}}`, ImplicitDeny},
		{"bool missing key", `{"request":{"principal":"` + user + `","action":"iam:ListUsers","resource":"*"},"identityPolicies":[` + allowAll + `,` + denyBool + `]}`, Allowed},
		{"bool false", `{"request":{"principal":"` + user + `","action":"iam:ListUsers","resource":"*","context":{"aws:MultiFactorAuthPresent":false}},"identityPolicies":[` + allowAll + `,` + denyBool + `]}`, ExplicitDeny},
		{"ifexists missing key", `{"request":{"principal":"` + user + `","action":"iam:ListUsers","resource":"*"},"identityPolicies":[` + allowAll + `,` + denyIfExists + `]}`, ExplicitDeny},
		{"ifexists true", `{"request":{"principal":"` + user + `","action":"iam:ListUsers","resource":"*","context":{"AWS:multifactorauthpresent":"true"}},"identityPolicies":[` + allowAll + `,` + denyIfExists + `]}`, Allowed},
		{"scp level without allow", `{"request":{"principal":"` + user + `","action":"iam:ListUsers","resource":"*"},"identityPolicies":[` + allowAll + `],"serviceControlPolicies":[[` + allowAll + `],[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}]]}`, ImplicitDeny},
		{"cross-account needs resource policy", `{"request":{"principal":"` + user + `","action":"sqs:SendMessage","resource":"arn:aws:sqs:us-east-1:444455556666:q"},"identityPolicies":[` + allowAll + `]}`, ImplicitDeny},
		{"cross-account allowed", `{"request":{"principal":"` + user + `","action":"sqs:SendMessage","resource":"arn:aws:sqs:us-east-1:444455556666:q"},"identityPolicies":[` + allowAll + `],"resourcePolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sqs:SendMessage","Resource":"*"}]}}`, Allowed},
		// oracle.mjs drops an explicit RCPFullAWSAccess (iam-simulate adds
		// it itself and rejects Allow statements in RCPs).
		{"rcp full access", `{"request":{"principal":"` + user + `","action":"sqs:SendMessage","resource":"arn:aws:sqs:us-east-1:111122223333:q"},"identityPolicies":[` + allowAll + `],"resourceControlPolicies":[[` + string(rgJSON(rgRCPFullAWSAccess())) + `]]}`, Allowed},
		{"rcp deny", `{"request":{"principal":"` + user + `","action":"sqs:SendMessage","resource":"arn:aws:sqs:us-east-1:111122223333:q"},"identityPolicies":[` + allowAll + `],"resourceControlPolicies":[[` + string(rgJSON(rgRCPFullAWSAccess())) + `,{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*"}]}]]}`, ExplicitDeny},
		// An empty list leaves the key absent, as in awsmfa's input.
		{"empty list is absent", `{"request":{"principal":"` + user + `","action":"iam:ListUsers","resource":"*","context":{"aws:TagKeys":[]}},"identityPolicies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"aws:TagKeys":"true"}}}]}]}`, Allowed},
		// "anonymous" is an unsigned request.
		{"anonymous public read", `{"request":{"principal":"anonymous","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resourceAccount":"111122223333"},"resourcePolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}}`, Allowed},
		{"anonymous not named", `{"request":{"principal":"anonymous","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resourceAccount":"111122223333"},"resourcePolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}}`, ImplicitDeny},
	}
	var inputs []*Input
	for _, tc := range tests {
		in := &Input{}
		if err := json.Unmarshal([]byte(tc.in), in); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		inputs = append(inputs, in)
	}
	answers, err := p.decide(inputs)
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range tests {
		if answers[i].Error != "" || answers[i].Decision != tc.want {
			t.Errorf("%s: oracle says %+v, want %s", tc.name, answers[i], tc.want)
		}
	}
	// A line the oracle cannot use is reported, not fatal, and later lines
	// still get their answers.
	bad := &Input{Request: Request{Principal: user, Action: "s3:NoSuchAction", Resource: "*"}}
	answers, err = p.decide([]*Input{bad, inputs[0]})
	if err != nil {
		t.Fatal(err)
	}
	if answers[0].Error == "" || answers[1].Decision != Allowed {
		t.Errorf("bad line: got %+v", answers)
	}
}

// oracleMismatch is one disagreement.
type oracleMismatch struct {
	index          int
	in             *Input
	ours, oracle   string
	minimal        *Input
	minOurs, minOr string
}

// TestDifferentialIAMSimulate requires Run to decide every generated case as
// the oracle does, except for the cited known divergences.
func TestDifferentialIAMSimulate(t *testing.T) {
	dir := oracleDir(t)
	n := int(oracleEnvInt(t, "AWSMFA_DIFF_CASES", oracleDefaultCases))
	seed := oracleEnvInt(t, "AWSMFA_DIFF_SEED", oracleDefaultSeed)
	only := int(oracleEnvInt(t, "AWSMFA_DIFF_ONLY", -1))
	maxShrunk := int(oracleEnvInt(t, "AWSMFA_DIFF_SHRINK", oracleDefaultShrunk))
	if testing.Short() && os.Getenv("AWSMFA_DIFF_CASES") == "" {
		n = 500
	}
	indexes := make([]int, 0, n)
	if only >= 0 {
		indexes = append(indexes, only)
	} else {
		for i := 0; i < n; i++ {
			indexes = append(indexes, i)
		}
	}
	cases := make([]*Input, len(indexes))
	for j, i := range indexes {
		cases[j] = rgCase(seed, i)
	}
	p := oracleStart(t, dir)
	start := time.Now()
	answers, err := p.decide(cases)
	if err != nil {
		t.Fatal(err)
	}
	oracleTime := time.Since(start)

	agree := map[string]int{}
	allowlisted := map[string]int{}
	var oracleErrors []string
	var mismatches []*oracleMismatch
	start = time.Now()
	for j, in := range cases {
		a := answers[j]
		if a.Error != "" {
			oracleErrors = append(oracleErrors, fmt.Sprintf("case %d: %s", indexes[j], a.Error))
			continue
		}
		ours, out := oracleOurs(in)
		if ours == a.Decision {
			agree[ours]++
			continue
		}
		if d := oracleDivergenceFor(&oracleCase{in: in, out: out, ours: ours, oracle: a.Decision, ask: p.ask}); d != nil {
			allowlisted[d.name]++
			continue
		}
		mismatches = append(mismatches, &oracleMismatch{index: indexes[j], in: in, ours: ours, oracle: a.Decision})
	}
	oursTime := time.Since(start)

	// The same lines through RunBatch, whose JSON decoder is not Run's:
	// every decision must be Run's.
	start = time.Now()
	batchMismatches := oracleCheckBatch(t, cases)
	batchTime := time.Since(start)
	t.Logf("seed %d, %d cases: agreed %v; known divergences %v; oracle errors %d; mismatches %d (oracle %v, Run %v, RunBatch %v)",
		seed, len(cases), agree, allowlisted, len(oracleErrors), len(mismatches), oracleTime.Round(time.Millisecond), oursTime.Round(time.Millisecond), batchTime.Round(time.Millisecond))
	for i, m := range batchMismatches {
		if i == 10 {
			t.Errorf("... %d more RunBatch/Run differences", len(batchMismatches)-i)
			break
		}
		t.Errorf("case %d (seed %d): %s", indexes[m.index], seed, m.msg)
	}

	// The generator must keep its cases valid for the oracle...
	for i, e := range oracleErrors {
		if i == 5 {
			break
		}
		t.Logf("oracle error: %s", e)
	}
	if len(oracleErrors)*50 > len(cases) {
		t.Errorf("the oracle rejected %d of %d cases (more than 2%%): the generator writes cases it cannot check", len(oracleErrors), len(cases))
	}
	// ...and a real mix of decisions, or agreement means little.
	if only < 0 && len(cases) >= 500 {
		for _, d := range []string{Allowed, ExplicitDeny, ImplicitDeny} {
			if agree[d]*10 < len(cases) {
				t.Errorf("only %d of %d cases agreed on %s: the generated mix is too thin to test it", agree[d], len(cases), d)
			}
		}
	}
	if len(mismatches) == 0 {
		return
	}
	for i, m := range mismatches {
		if i == maxShrunk {
			break
		}
		m.minimal, m.minOurs, m.minOr = oracleShrink(p, m.in, m.ours, m.oracle)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d cases: Run and iam-simulate disagree (seed %d).\n", len(mismatches), len(cases), seed)
	for i, m := range mismatches {
		if i == maxShrunk {
			fmt.Fprintf(&b, "... %d more (first indexes:", len(mismatches)-i)
			for _, m := range mismatches[i:min(len(mismatches), i+20)] {
				fmt.Fprintf(&b, " %d", m.index)
			}
			b.WriteString(")\n")
			break
		}
		full, _ := json.Marshal(m.in)
		minimal, _ := json.MarshalIndent(m.minimal, "", "  ")
		fmt.Fprintf(&b, "\n--- case %d: Run=%s oracle=%s\nreproduce: AWSMFA_DIFF_SEED=%d AWSMFA_DIFF_ONLY=%d go test ./internal/simulate -run TestDifferentialIAMSimulate -v\nminimal (Run=%s oracle=%s):\n%s\nfull case: %s\n",
			m.index, m.ours, m.oracle, seed, m.index, m.minOurs, m.minOr, minimal, full)
	}
	t.Error(b.String())
}

type oracleBatchDiff struct {
	index int
	msg   string
}

// oracleCheckBatch runs the inputs through RunBatch and returns the lines
// whose answer differs from Run's.
func oracleCheckBatch(t *testing.T, cases []*Input) []oracleBatchDiff {
	t.Helper()
	var in bytes.Buffer
	for _, c := range cases {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		in.Write(b)
		in.WriteByte('\n')
	}
	var out bytes.Buffer
	if err := RunBatch(&in, &out, BatchOptions{}); err != nil {
		t.Fatalf("RunBatch: %v", err)
	}
	lines := bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != len(cases) {
		t.Fatalf("RunBatch answered %d lines for %d inputs", len(lines), len(cases))
	}
	var diffs []oracleBatchDiff
	for i, line := range lines {
		var got Output
		if err := json.Unmarshal(line, &got); err != nil {
			diffs = append(diffs, oracleBatchDiff{i, fmt.Sprintf("RunBatch answer is not JSON: %v: %s", err, line)})
			continue
		}
		want, _ := oracleOurs(cases[i])
		gotS := got.Decision
		if got.Error != "" {
			gotS = "error: " + got.Error
		}
		if gotS != want && !(strings.HasPrefix(gotS, "error: ") && strings.HasPrefix(want, "error: ")) {
			full, _ := json.Marshal(cases[i])
			diffs = append(diffs, oracleBatchDiff{i, fmt.Sprintf("RunBatch says %s, Run says %s: %s", gotS, want, full)})
		}
	}
	return diffs
}

// oracleShrink removes parts of a mismatching case while Run and the oracle
// keep disagreeing in the same way, and returns the smallest case found.
func oracleShrink(p *oracleProc, in *Input, ours, oracle string) (*Input, string, string) {
	cur := oracleCopy(in)
	budget := 3000
	for budget > 0 {
		progressed := false
		cands := oracleReductions(cur)
		// Ask the oracle about all candidates at once.
		answers, err := p.decide(cands)
		if err != nil {
			break
		}
		budget -= len(cands)
		for i, c := range cands {
			if answers[i].Error != "" || answers[i].Decision != oracle {
				continue
			}
			if got, out := oracleOurs(c); got != ours || oracleDivergenceFor(&oracleCase{in: c, out: out, ours: got, oracle: oracle, ask: p.ask}) != nil {
				continue
			}
			cur = c
			progressed = true
			break
		}
		if !progressed {
			break
		}
	}
	return cur, ours, oracle
}

func oracleCopy(in *Input) *Input {
	b, err := json.Marshal(in)
	if err != nil {
		panic(err)
	}
	out := &Input{}
	if err := json.Unmarshal(b, out); err != nil {
		panic(err)
	}
	return out
}

// oracleReductions lists the inputs that differ from in by one removal or
// simplification.
func oracleReductions(in *Input) []*Input {
	var out []*Input
	mod := func(f func(c *Input)) {
		c := oracleCopy(in)
		f(c)
		out = append(out, c)
	}
	for i := range in.IdentityPolicies {
		mod(func(c *Input) { c.IdentityPolicies = append(c.IdentityPolicies[:i], c.IdentityPolicies[i+1:]...) })
	}
	if in.ResourcePolicy != nil {
		mod(func(c *Input) { c.ResourcePolicy = nil })
	}
	if in.PermissionsBoundary != nil {
		mod(func(c *Input) { c.PermissionsBoundary = nil })
	}
	if in.SessionPolicy != nil {
		mod(func(c *Input) { c.SessionPolicy = nil })
	}
	levels := func(get func(c *Input) *[][]json.RawMessage, keepEmpty bool) {
		ls := *get(in)
		for l := range ls {
			mod(func(c *Input) {
				p := get(c)
				*p = append((*p)[:l], (*p)[l+1:]...)
				if len(*p) == 0 {
					*p = nil
				}
			})
			for k := range ls[l] {
				if len(ls[l]) == 1 && !keepEmpty {
					continue
				}
				mod(func(c *Input) {
					p := get(c)
					(*p)[l] = append((*p)[l][:k], (*p)[l][k+1:]...)
				})
			}
		}
	}
	levels(func(c *Input) *[][]json.RawMessage { return &c.ServiceControlPolicies }, false)
	levels(func(c *Input) *[][]json.RawMessage { return &c.ResourceControlPolicies }, true)
	for k := range in.Request.Context {
		mod(func(c *Input) {
			delete(c.Request.Context, k)
			if len(c.Request.Context) == 0 {
				c.Request.Context = nil
			}
		})
	}
	if in.Request.ResourceAccount != "" {
		mod(func(c *Input) { c.Request.ResourceAccount = "" })
	}
	// Simplify each policy document.
	for d, ref := range oracleDocRefs(in) {
		for _, reduced := range oracleDocReductions(*ref) {
			mod(func(c *Input) { *oracleDocRefs(c)[d] = reduced })
		}
	}
	return out
}

// oracleDocRefs points at every policy document of an input, in a fixed
// order.
func oracleDocRefs(c *Input) []*json.RawMessage {
	var refs []*json.RawMessage
	for i := range c.IdentityPolicies {
		refs = append(refs, &c.IdentityPolicies[i])
	}
	if c.ResourcePolicy != nil {
		refs = append(refs, &c.ResourcePolicy)
	}
	if c.PermissionsBoundary != nil {
		refs = append(refs, &c.PermissionsBoundary)
	}
	for l := range c.ServiceControlPolicies {
		for k := range c.ServiceControlPolicies[l] {
			refs = append(refs, &c.ServiceControlPolicies[l][k])
		}
	}
	for l := range c.ResourceControlPolicies {
		for k := range c.ResourceControlPolicies[l] {
			refs = append(refs, &c.ResourceControlPolicies[l][k])
		}
	}
	if c.SessionPolicy != nil {
		refs = append(refs, &c.SessionPolicy)
	}
	return refs
}

// oracleDocReductions lists simplifications of one policy document: a
// statement removed, a condition entry removed, a list cut to one element,
// a Sid or Id removed.
func oracleDocReductions(doc json.RawMessage) []json.RawMessage {
	parse := func() map[string]any {
		dec := json.NewDecoder(bytes.NewReader(doc))
		dec.UseNumber()
		var m map[string]any
		if dec.Decode(&m) != nil {
			return nil
		}
		return m
	}
	base := parse()
	if base == nil {
		return nil
	}
	stmts, _ := base["Statement"].([]any)
	var out []json.RawMessage
	emit := func(m map[string]any) {
		b, err := json.Marshal(m)
		if err == nil {
			out = append(out, b)
		}
	}
	if _, ok := base["Id"]; ok {
		m := parse()
		delete(m, "Id")
		emit(m)
	}
	for i := range stmts {
		if len(stmts) > 1 {
			m := parse()
			s := m["Statement"].([]any)
			m["Statement"] = append(s[:i], s[i+1:]...)
			emit(m)
		}
		st, _ := stmts[i].(map[string]any)
		if st == nil {
			continue
		}
		stmtOf := func(m map[string]any) map[string]any {
			return m["Statement"].([]any)[i].(map[string]any)
		}
		if _, ok := st["Sid"]; ok {
			m := parse()
			delete(stmtOf(m), "Sid")
			emit(m)
		}
		for _, el := range []string{"Action", "NotAction", "Resource", "NotResource"} {
			list, _ := st[el].([]any)
			for j := range list {
				if len(list) < 2 {
					break
				}
				m := parse()
				stmtOf(m)[el] = list[j]
				emit(m)
			}
		}
		for _, el := range []string{"Principal", "NotPrincipal"} {
			pr, _ := st[el].(map[string]any)
			for typ, v := range pr {
				if len(pr) > 1 {
					m := parse()
					delete(stmtOf(m)[el].(map[string]any), typ)
					emit(m)
				}
				list, _ := v.([]any)
				for j := range list {
					if len(list) < 2 {
						break
					}
					m := parse()
					stmtOf(m)[el].(map[string]any)[typ] = list[j]
					emit(m)
				}
			}
		}
		cond, _ := st["Condition"].(map[string]any)
		if len(cond) > 0 {
			m := parse()
			delete(stmtOf(m), "Condition")
			emit(m)
		}
		for op, keys := range cond {
			km, _ := keys.(map[string]any)
			for key, v := range km {
				if len(cond) > 1 || len(km) > 1 {
					m := parse()
					c := stmtOf(m)["Condition"].(map[string]any)
					k := c[op].(map[string]any)
					delete(k, key)
					if len(k) == 0 {
						delete(c, op)
					}
					emit(m)
				}
				list, _ := v.([]any)
				for j := range list {
					if len(list) < 2 {
						break
					}
					m := parse()
					stmtOf(m)["Condition"].(map[string]any)[op].(map[string]any)[key] = list[j]
					emit(m)
				}
			}
		}
	}
	return out
}

var (
	oracleCorpusBatch = flag.String("corpus-batch", "", "TestCorpusRunBatch: time RunBatch over this JSON Lines corpus")
	oracleCorpusPath  = flag.String("corpus", "", "TestWriteCorpus: write a JSON Lines corpus of generated simulate inputs to this file")
	oracleCorpusN     = flag.Int("corpus-n", 100000, "TestWriteCorpus: number of inputs")
	oracleCorpusSeed  = flag.Int64("corpus-seed", oracleDefaultSeed, "TestWriteCorpus: generator seed")
)

// TestWriteCorpus writes a corpus of the kind `awsmfa policy simulate
// --batch` reads, for benchmarks (scripts/bench-oracle.sh):
//
//	go test ./internal/simulate -run TestWriteCorpus -corpus /tmp/corpus.jsonl [-corpus-n 100000] [-corpus-seed N]
//
// Without -corpus it does nothing.
func TestWriteCorpus(t *testing.T) {
	if *oracleCorpusPath == "" {
		t.Skip("no -corpus file given")
	}
	f, err := os.Create(*oracleCorpusPath)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := 0; i < *oracleCorpusN; i++ {
		b, err := json.Marshal(rgCase(*oracleCorpusSeed, i))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d inputs (seed %d) to %s", *oracleCorpusN, *oracleCorpusSeed, *oracleCorpusPath)
}

// oracleCountWriter counts answer lines.
type oracleCountWriter struct{ lines, errors int }

func (w *oracleCountWriter) Write(p []byte) (int, error) {
	w.lines += bytes.Count(p, []byte("\n"))
	w.errors += bytes.Count(p, []byte(`"error":`))
	return len(p), nil
}

// TestCorpusRunBatch times RunBatch (what `awsmfa policy simulate --batch`
// runs) over a corpus from TestWriteCorpus, in process, for
// scripts/bench-oracle.sh:
//
//	go test ./internal/simulate -run TestCorpusRunBatch -corpus-batch /tmp/corpus.jsonl -v
//
// Without -corpus-batch it does nothing.
func TestCorpusRunBatch(t *testing.T) {
	if *oracleCorpusBatch == "" {
		t.Skip("no -corpus-batch file given")
	}
	data, err := os.ReadFile(*oracleCorpusBatch)
	if err != nil {
		t.Fatal(err)
	}
	var w oracleCountWriter
	start := time.Now()
	if err := RunBatch(bytes.NewReader(data), &w, BatchOptions{}); err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	// One line for scripts to read.
	fmt.Printf("RunBatch: %d decisions in %.3f s: %.0f decisions/s (%d errors)\n", w.lines, d.Seconds(), float64(w.lines)/d.Seconds(), w.errors)
}

// TestResourceTypeWildcard pins Run's answer for the iam-simulate
// divergence oracleTypeWildcard, and checks that the oracle still
// disagrees and that the divergence recognises the case (if iam-simulate
// is fixed, this test says so and the allowlist entry can go).
func TestResourceTypeWildcard(t *testing.T) {
	cases := []struct {
		pattern, resource, want string
	}{
		{"arn:aws:ds:*:*:*/*", "arn:aws:ds:us-east-1:111122223333:directory/d-1", Allowed},
		{"arn:aws:ds:*:*:*", "arn:aws:ds:us-east-1:111122223333:directory/d-1", Allowed},
		{"arn:aws:ds:*:*:dir*/d-?", "arn:aws:ds:us-east-1:111122223333:directory/d-1", Allowed},
		{"arn:aws:logs:*:*:*:g:log-stream:*", "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s", Allowed},
		{"arn:aws:ds:*:*:*/x", "arn:aws:ds:us-east-1:111122223333:directory/d-1", ImplicitDeny},
		{"arn:aws:ds:*:*:file*/*", "arn:aws:ds:us-east-1:111122223333:directory/d-1", ImplicitDeny},
	}
	input := func(pattern, resource string) *Input {
		return mustInput(t, `{"request":{"principal":"arn:aws:iam::111122223333:user/alice","action":"ds:DeleteDirectory","resource":"`+resource+`"},
			"identityPolicies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"`+pattern+`"}]}]}`)
	}
	for _, c := range cases {
		out, err := Run(input(c.pattern, c.resource))
		if err != nil || out.Decision != c.want {
			t.Errorf("%s vs %s: %v %+v, want %s", c.pattern, c.resource, err, out, c.want)
		}
	}
	dir := oracleDir(t)
	p := oracleStart(t, dir)
	in := input("arn:aws:ds:*:*:*/*", "arn:aws:ds:us-east-1:111122223333:directory/d-1")
	oracle := p.ask(in)
	if oracle != ImplicitDeny {
		t.Fatalf("iam-simulate now answers %s for a wildcard in the resource type: drop the oracleTypeWildcard divergence", oracle)
	}
	ours, out := oracleOurs(in)
	if d := oracleDivergenceFor(&oracleCase{in: in, out: out, ours: ours, oracle: oracle, ask: p.ask}); d == nil || d.name != oracleTypeWildcard.name {
		t.Errorf("divergence %+v, want %q", d, oracleTypeWildcard.name)
	}
	// A disagreement with another cause is not explained by it: the same
	// request with a Deny the oracle would apply too.
	other := oracleCopy(in)
	other.IdentityPolicies[0] = json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:ds:*:*:*/x"}]}`)
	if oracleTypeWildcard.applies(&oracleCase{in: other, ours: Allowed, oracle: ImplicitDeny, ask: p.ask}) {
		t.Error("the divergence explains a case where the pattern does not match")
	}
}
