package simulate

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// The test's own strict reading of an input line, independent of the
// scanner: policy.ParseJSON for the syntax and limits, then a walk of the
// tree in document order applying the rules of fields.go, then
// json.Unmarshal and Run. Only the wording of the messages is shared with
// the scanner.

// refError is a rule broken at a column of a one-line input.
type refError struct {
	col int
	msg string
}

type refWalk struct {
	err *refError
}

func (w *refWalk) fail(p policy.Pos, msg string) {
	if w.err == nil {
		w.err = &refError{col: p.Column, msg: msg}
	}
}

// refDecode returns the input, or the broken rule; syntax is true when
// policy.ParseJSON rejected the line (the scanner must reject it too, with
// its own message).
func refDecode(line []byte) (in *Input, rerr *refError, syntax bool) {
	root, err := policy.ParseJSON("", line)
	if err != nil {
		return nil, nil, true
	}
	w := &refWalk{}
	w.input(root)
	if w.err != nil {
		return nil, w.err, false
	}
	var out Input
	if err := json.Unmarshal(line, &out); err != nil {
		panic("json.Unmarshal rejects a line the reference accepts: " + err.Error())
	}
	return &out, nil, false
}

func (w *refWalk) input(root *policy.Node) {
	if root.Kind != policy.NodeObject {
		w.fail(root.Pos, "an input must be a JSON object")
		return
	}
	seen := map[string]bool{}
	var request *policy.Node
	for _, m := range root.Members {
		if lookupField(inputFields, m.Key) < 0 {
			w.fail(m.KeyPos, unknownFieldMessage(m.Key, false))
			return
		}
		if seen[m.Key] {
			w.fail(m.KeyPos, duplicateFieldMessage(m.Key, false))
			return
		}
		seen[m.Key] = true
		switch m.Key {
		case "request":
			request = m.Value
			w.request(m.Value)
		case "identityPolicies":
			w.policyList(m.Value, "identityPolicies")
		case "serviceControlPolicies", "resourceControlPolicies":
			v := m.Value
			if v.Kind == policy.NodeNull {
				break
			}
			if v.Kind != policy.NodeArray {
				w.fail(v.Pos, m.Key+" must be a list of lists of policies (one list per organization level)")
				break
			}
			for i, level := range v.Items {
				w.policyList(level, m.Key+"["+strconv.Itoa(i)+"]")
			}
		}
		if w.err != nil {
			return
		}
	}
	if request == nil {
		w.fail(root.Pos, missingRequestMessage)
		return
	}
	action, at, present := "", request.Pos, false
	if a := refMember(request, "action"); a != nil {
		at = a.Pos
		if a.Kind == policy.NodeString {
			action, present = a.Str, true
		}
	}
	if p := actionProblem(action, present); p != "" {
		w.fail(at, p)
	}
}

func refMember(n *policy.Node, key string) *policy.Node {
	for _, m := range n.Members {
		if m.Key == key {
			return m.Value
		}
	}
	return nil
}

func (w *refWalk) policyList(v *policy.Node, name string) {
	if v.Kind != policy.NodeNull && v.Kind != policy.NodeArray {
		w.fail(v.Pos, name+" must be a list of policies")
	}
}

func (w *refWalk) request(v *policy.Node) {
	if v.Kind != policy.NodeObject {
		w.fail(v.Pos, `"request" must be an object such as {"action": "s3:GetObject"}`)
		return
	}
	seen := map[string]bool{}
	for _, m := range v.Members {
		if lookupField(requestFields, m.Key) < 0 {
			w.fail(m.KeyPos, unknownFieldMessage(m.Key, true))
			return
		}
		if seen[m.Key] {
			w.fail(m.KeyPos, duplicateFieldMessage(m.Key, true))
			return
		}
		seen[m.Key] = true
		if m.Key == "context" {
			w.context(m.Value)
		} else {
			w.requestString(m.Value, "request."+m.Key)
		}
		if w.err != nil {
			return
		}
	}
}

func (w *refWalk) requestString(v *policy.Node, name string) {
	switch {
	case v.Kind == policy.NodeNull:
	case v.Kind != policy.NodeString:
		w.fail(v.Pos, name+" must be a string")
	case len(v.Str) > MaxRequestString:
		w.fail(v.Pos, stringTooLong(name, len(v.Str)))
	}
}

func (w *refWalk) context(v *policy.Node) {
	if v.Kind == policy.NodeNull {
		return
	}
	if v.Kind != policy.NodeObject {
		w.fail(v.Pos, `request.context must be an object of condition keys, such as {"aws:MultiFactorAuthPresent": "true"}`)
		return
	}
	var keys []string
	for _, m := range v.Members {
		switch {
		case len(m.Key) > MaxRequestString:
			w.fail(m.KeyPos, stringTooLong("a request.context key", len(m.Key)))
		case len(keys) >= MaxContextKeys:
			w.fail(m.KeyPos, "request.context has more than 1000 keys, the limit for one request")
		}
		for _, k := range keys {
			if k == m.Key {
				w.fail(m.KeyPos, "duplicate context key "+strconv.Quote(k))
			} else if strings.EqualFold(k, m.Key) {
				w.fail(m.KeyPos, dupKeyError(k, m.Key).Error())
			}
		}
		if w.err != nil {
			return
		}
		keys = append(keys, m.Key)
		q := strconv.Quote(m.Key)
		val := m.Value
		if val.Kind == policy.NodeArray {
			for i, it := range val.Items {
				if i >= MaxContextValues {
					w.fail(it.Pos, "context key "+q+" has more than 100 values, the limit for one key")
					return
				}
				if it.Kind == policy.NodeArray {
					w.fail(it.Pos, "context key "+q+": lists cannot be nested")
					return
				}
				w.contextScalar(it, q)
				if w.err != nil {
					return
				}
			}
			continue
		}
		w.contextScalar(val, q)
		if w.err != nil {
			return
		}
	}
}

func (w *refWalk) contextScalar(v *policy.Node, q string) {
	switch v.Kind {
	case policy.NodeObject:
		w.fail(v.Pos, "context key "+q+": a value must be a string, boolean, number or a list of them, not an object")
	case policy.NodeString, policy.NodeNumber:
		if len(v.Str) > MaxRequestString {
			w.fail(v.Pos, stringTooLong("the value of context key "+q, len(v.Str)))
		}
	}
}

// refLine answers a line the slow way; decodeErr is set when the reference
// rejects the line's syntax, whose wording is ParseJSON's, not the
// scanner's.
func refLine(line []byte, lineNo int) (out []byte, syntaxErr bool) {
	in, rerr, syntax := refDecode(line)
	if syntax {
		return nil, true
	}
	prefix := "<stdin>:" + strconv.Itoa(lineNo) + ":"
	var o *Output
	if rerr != nil {
		o = &Output{Error: prefix + strconv.Itoa(rerr.col) + ": " + rerr.msg, Line: lineNo}
	} else {
		var err error
		if o, err = Run(in); err != nil {
			o = &Output{Error: prefix + " " + err.Error(), Line: lineNo}
		}
	}
	b, err := json.Marshal(o)
	if err != nil {
		panic(err)
	}
	return append(b, '\n'), false
}

// compareLine checks the batch answer for one line against refLine: the
// same answer, or the same error at the same column; a line whose syntax
// the reference rejects must be answered with an error.
func compareLine(t testing.TB, b *batcher, line []byte, lineNo int) {
	t.Helper()
	got := append([]byte(nil), b.line(line, lineNo)...)
	want, syntaxErr := refLine(line, lineNo)
	var g Output
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("batch output is not JSON: %v\n%s", err, got)
	}
	if syntaxErr {
		if g.Error == "" {
			t.Fatalf("policy.ParseJSON rejects %q but the batch answered %s", line, got)
		}
		return
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("line %q:\nbatch %s\nref   %s", line, got, want)
	}
}

// ParseInput and --batch read an input the same way; ParseInput reports
// the line and column in a multi-line file.
func TestParseInputMatchesBatch(t *testing.T) {
	b := newBatcher(0)
	for _, line := range strictCases {
		in, err := ParseInput("in.json", []byte(line.in))
		bi := b.in.decode([]byte(line.in))
		if (err == nil) != (bi == nil) {
			t.Fatalf("%s: ParseInput %v, batch %v", line.in, err, bi)
		}
		if err != nil {
			continue
		}
		var want Input
		if jerr := json.Unmarshal([]byte(line.in), &want); jerr != nil {
			t.Fatal(jerr)
		}
		g, _ := json.Marshal(in)
		w, _ := json.Marshal(&want)
		if !bytes.Equal(g, w) {
			t.Errorf("%s:\nParseInput %s\njson       %s", line.in, g, w)
		}
	}
	// Positions in a file of several lines.
	_, err := ParseInput("in.json", []byte("{\n  \"request\": {\"action\": \"s3:GetObject\"},\n  \"permissionBoundary\": {}\n}"))
	if err == nil || err.Error() != `in.json:3:3: unknown field "permissionBoundary"; did you mean "permissionsBoundary"?` {
		t.Errorf("error %v", err)
	}
	_, err = ParseInput("in.json", []byte("\uFEFF{\"request\": {\"action\": \"GetObject\"}}"))
	if err == nil || err.Error() != `in.json:1:24: request.action "GetObject" has no service prefix: write service:action, such as "s3:GetObject"` {
		t.Errorf("error %v", err)
	}
}

const okRequest = `"request":{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"*"}`

// strictCases are the rules of the input, each with the error it gives
// (empty: accepted).
var strictCases = []struct{ in, want string }{
	{`{` + okRequest + `}`, ``},
	{`{` + okRequest + `,"resourcePolicy":null,"identityPolicies":null,"serviceControlPolicies":[null,[]]}`, ``},
	// Misspelt and miscased fields name the right one.
	{`{` + okRequest + `,"permissionBoundary":{}}`, `1:104: unknown field "permissionBoundary"; did you mean "permissionsBoundary"?`},
	{`{` + okRequest + `,"PermissionsBoundary":{}}`, `1:104: unknown field "PermissionsBoundary": field names are case-sensitive; did you mean "permissionsBoundary"?`},
	{`{"Request":{"action":"s3:GetObject"}}`, `1:2: unknown field "Request": field names are case-sensitive; did you mean "request"?`},
	{`{` + okRequest + `,"identityPolicy":[]}`, `1:104: unknown field "identityPolicy"; did you mean "identityPolicies"?`},
	{`{` + okRequest + `,"serviceControlPolicy":[]}`, `1:104: unknown field "serviceControlPolicy"; did you mean "serviceControlPolicies"?`},
	{`{` + okRequest + `,"action":"s3:GetObject"}`, `1:104: unknown field "action": "action" belongs inside "request"`},
	{`{"request":{"action":"s3:GetObject","identityPolicies":[]}}`, `1:37: unknown field "identityPolicies" in "request": "identityPolicies" belongs at the top level of the input, beside "request"`},
	{`{"request":{"action":"s3:GetObject","ation":"x"}}`, `1:37: unknown field "ation" in "request"; did you mean "action"?`},
	{`{"request":{"action":"s3:GetObject","Context":{}}}`, `1:37: unknown field "Context" in "request": field names are case-sensitive; did you mean "context"?`},
	{`{` + okRequest + `,"zzz":1}`, `1:104: unknown field "zzz" (the fields are request, identityPolicies, resourcePolicy, permissionsBoundary, serviceControlPolicies, resourceControlPolicies, sessionPolicy)`},
	// Duplicates.
	{`{` + okRequest + `,` + okRequest + `}`, `1:104: duplicate field "request"`},
	{`{"request":{"action":"s3:GetObject","action":"s3:PutObject"}}`, `1:37: duplicate field "action" in "request"`},
	{`{"request":{"action":"s3:GetObject","context":{"k":"a","k":"b"}}}`, `1:56: duplicate context key "k"`},
	{`{"request":{"action":"s3:GetObject","context":{"aws:SourceIp":"a","AWS:SOURCEIP":"b"}}}`, `1:67: context keys "AWS:SOURCEIP" and "aws:SourceIp" name the same condition key (keys are case-insensitive)`},
	// The request and its action.
	{`{}`, `1:1: missing field "request": every input needs {"request": {"action": "service:Action", ...}}`},
	{`  {"identityPolicies":[]}`, `1:3: missing field "request": every input needs {"request": {"action": "service:Action", ...}}`},
	{`{"request":null}`, `1:12: "request" must be an object such as {"action": "s3:GetObject"}`},
	{`{"request":{}}`, `1:12: request.action is missing (for example "s3:GetObject")`},
	{`{"request":{"action":null}}`, `1:22: request.action is missing (for example "s3:GetObject")`},
	{`{"request":{"action":""}}`, `1:22: request.action is empty (for example "s3:GetObject")`},
	{`{"request":{"action": "GetObject"}}`, `1:23: request.action "GetObject" has no service prefix: write service:action, such as "s3:GetObject"`},
	{`{"request":{"action":"s3:"}}`, `1:22: request.action "s3:" has no action name after the colon`},
	{`{"request":{"action":"s 3:Get"}}`, `1:22: request.action "s 3:Get" contains white space, so it names no action`},
	{`{"request":{"action":"s3:GetObject "}}`, `1:22: request.action "s3:GetObject " contains white space, so it names no action`},
	{`{"request":{"action":"s_3:GetObject"}}`, `1:22: request.action "s_3:GetObject": "s_3" is not a service prefix (letters, digits and hyphens)`},
	{`{"request":{"action":5}}`, `1:22: request.action must be a string`},
	// Types.
	{`{"request":{"action":"s3:GetObject"},"identityPolicies":{}}`, `1:57: identityPolicies must be a list of policies`},
	{`{"request":{"action":"s3:GetObject"},"serviceControlPolicies":[{}]}`, `1:64: serviceControlPolicies[0] must be a list of policies`},
	{`{"request":{"action":"s3:GetObject","context":[]}}`, `1:47: request.context must be an object of condition keys, such as {"aws:MultiFactorAuthPresent": "true"}`},
	{`{"request":{"action":"s3:GetObject","context":{"k":{"a":1}}}}`, `1:52: context key "k": a value must be a string, boolean, number or a list of them, not an object`},
	{`{"request":{"action":"s3:GetObject","context":{"k":["a",["b"]]}}}`, `1:57: context key "k": lists cannot be nested`},
	{`[]`, `1:1: an input must be a JSON object`},
	{`null`, `1:1: an input must be a JSON object`},
	// Limits of one request.
	{`{"request":{"action":"s3:GetObject","resource":"` + strings.Repeat("r", MaxRequestString+1) + `"}}`, `1:48: request.resource is 2049 bytes long: the limit is 2048 bytes`},
	{`{"request":{"action":"s3:GetObject","resource":"` + strings.Repeat(`\u0072`, MaxRequestString+1) + `"}}`, `1:48: request.resource is 2049 bytes long: the limit is 2048 bytes`},
	{`{"request":{"action":"s3:GetObject","context":{"k":"` + strings.Repeat("v", MaxRequestString+1) + `"}}}`, `1:52: the value of context key "k" is 2049 bytes long: the limit is 2048 bytes`},
	{`{"request":{"action":"s3:GetObject","context":{"` + strings.Repeat("k", MaxRequestString+1) + `":1}}}`, `1:48: a request.context key is 2049 bytes long: the limit is 2048 bytes`},
	{`{"request":{"action":"s3:GetObject","context":{"k":[` + strings.Repeat(`"v",`, MaxContextValues) + `"v"]}}}`, `1:453: context key "k" has more than 100 values, the limit for one key`},
	{`{"request":{"action":"s3:GetObject","context":{` + manyKeys(MaxContextKeys+1) + `}}}`, `1:8938: request.context has more than 1000 keys, the limit for one request`},
	{`{"request":{"action":"s3:GetObject","context":{` + manyKeys(MaxContextKeys) + `}}}`, ``},
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":1`)
	}
	return b.String()
}

func TestStrictInput(t *testing.T) {
	b := newBatcher(0)
	for _, c := range strictCases {
		got := b.line([]byte(c.in), 1)
		var o Output
		if err := json.Unmarshal(got, &o); err != nil {
			t.Fatal(err)
		}
		want := ""
		if c.want != "" {
			want = "<stdin>:" + c.want
		}
		if o.Error != want {
			short := c.in
			if len(short) > 120 {
				short = short[:120] + "..."
			}
			t.Errorf("%s\n got %q\nwant %q", short, o.Error, want)
		}
		compareLine(t, b, []byte(c.in), 1)
	}
}

// FuzzParseInput: ParseInput never panics, agrees with --batch on whether
// an input is acceptable, and what it accepts is what json.Unmarshal reads.
func FuzzParseInput(f *testing.F) {
	for _, c := range strictCases {
		if len(c.in) < 2000 {
			f.Add([]byte(c.in))
		}
	}
	f.Add([]byte("{\n \"request\": {\"action\": \"s3:GetObject\",\n  \"context\": {\"k\": [1, \"\\u00e9\", null]}}\n}\n"))
	b := newBatcher(16)
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ParseInput("in.json", data)
		body := bytes.TrimPrefix(data, []byte("\uFEFF"))
		batchErr := b.in.decode(body)
		if err != nil {
			if in != nil {
				t.Fatal("input returned with an error")
			}
			var list policy.ErrorList
			if !errors.As(err, &list) || len(list) != 1 || list[0].File != "in.json" || !list[0].Pos.IsValid() {
				t.Fatalf("error %T %v does not name the file, line and column", err, err)
			}
			if _, perr := policy.ParseJSON("", data); perr == nil && batchErr == nil {
				t.Fatalf("ParseInput rejects what --batch accepts: %v", err)
			}
			return
		}
		if batchErr != nil {
			t.Fatalf("--batch rejects what ParseInput accepts: %v", batchErr)
		}
		var want Input
		if jerr := json.Unmarshal(body, &want); jerr != nil {
			t.Fatalf("json.Unmarshal rejects an accepted input: %v", jerr)
		}
		g, _ := json.Marshal(in)
		w, _ := json.Marshal(&want)
		if !bytes.Equal(g, w) {
			t.Fatalf("ParseInput %s\njson       %s", g, w)
		}
	})
}

// An input whose wildcards would take minutes to match (many patterns
// against long context values) is answered with an error within seconds;
// the line after it is answered as usual.
func TestMatchWorkLimit(t *testing.T) {
	var vals, pats []string
	for i := 0; i < MaxContextValues; i++ {
		vals = append(vals, strconv.Quote(strings.Repeat("a", 2000)+strconv.Itoa(i)))
	}
	for i := 0; i < 20000; i++ {
		pats = append(pats, strconv.Quote("a*zq"+strconv.Itoa(i)+"*b"))
	}
	hostile := `{"request":{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"*","context":{"aws:TagKeys":[` + strings.Join(vals, ",") + `]}},` +
		`"identityPolicies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":[` + strings.Join(pats, ",") + `]}}}]}]}`
	good := `{"request":{"principal":"` + alice + `","action":"s3:GetObject","resource":"*"},"identityPolicies":[` + allowAll + `]}`
	var out bytes.Buffer
	start := time.Now()
	if err := RunBatch(strings.NewReader(hostile+"\n"+good+"\n"), &out, BatchOptions{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("took %v", d)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"error":"\u003cstdin\u003e:1: matching the policies' wildcards against the request takes more than 200000000 steps, the limit for one simulation"`) || !strings.Contains(lines[1], `{"decision":"allowed"`) {
		t.Fatalf("answers:\n%.600s", out.String())
	}
	if _, err := Run(mustInput(t, hostile)); err == nil || !strings.Contains(err.Error(), "the limit for one simulation") {
		t.Errorf("Run: %v", err)
	}
}
