package simulate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/credctx"
)

const (
	alice       = "arn:aws:iam::111122223333:user/alice"
	allowAll    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	seedBool    = `{"Version":"2012-10-17","Statement":[{"Sid":"BlockMostAccessUnlessSignedInWithMFA","Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice","iam:DeleteVirtualMFADevice","iam:ListVirtualMFADevices","iam:EnableMFADevice","iam:ResyncMFADevice","iam:ListAccountAliases","iam:ListUsers","iam:ListSSHPublicKeys","iam:ListAccessKeys","iam:ListServiceSpecificCredentials","iam:ListMFADevices","iam:GetAccountSummary","sts:GetSessionToken"],"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false","aws:ViaAWSService":"false"}}}]}`
	seedIfExist = `{"Version":"2012-10-17","Statement":[{"Sid":"BlockMostAccessUnlessSignedInWithMFA","Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice","iam:DeleteVirtualMFADevice","iam:ListVirtualMFADevices","iam:EnableMFADevice","iam:ResyncMFADevice","iam:ListAccountAliases","iam:ListUsers","iam:ListSSHPublicKeys","iam:ListAccessKeys","iam:ListServiceSpecificCredentials","iam:ListMFADevices","iam:GetAccountSummary","sts:GetSessionToken"],"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false","aws:ViaAWSService":"false"}}}]}`
)

func mustInput(t testing.TB, src string) *Input {
	t.Helper()
	var in Input
	if err := json.Unmarshal([]byte(src), &in); err != nil {
		t.Fatalf("input: %v", err)
	}
	return &in
}

func TestRunSeedLesson(t *testing.T) {
	for _, c := range []struct {
		name, policy, ctx, want string
	}{
		{"Bool, long-term keys", seedBool, `{"aws:ViaAWSService":false}`, Allowed},
		{"Bool, session without MFA", seedBool, `{"aws:ViaAWSService":false,"aws:MultiFactorAuthPresent":false}`, ExplicitDeny},
		{"Bool, session with MFA", seedBool, `{"aws:ViaAWSService":false,"aws:MultiFactorAuthPresent":"true"}`, Allowed},
		{"BoolIfExists, long-term keys", seedIfExist, `{"aws:ViaAWSService":false}`, ExplicitDeny},
		{"BoolIfExists, session with MFA", seedIfExist, `{"aws:ViaAWSService":false,"aws:MultiFactorAuthPresent":true}`, Allowed},
		{"BoolIfExists, via an AWS service", seedIfExist, `{"aws:ViaAWSService":true}`, Allowed},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := mustInput(t, `{"request":{"principal":"`+alice+`","action":"ec2:TerminateInstances","resource":"*","context":`+c.ctx+`},"identityPolicies":[`+allowAll+`,`+c.policy+`]}`)
			out, err := Run(in)
			if err != nil {
				t.Fatal(err)
			}
			if out.Decision != c.want {
				t.Fatalf("decision %s, want %s: %s", out.Decision, c.want, out.Reason)
			}
			if c.want == ExplicitDeny {
				m := out.MatchedStatements
				if len(m) != 1 || m[0].Layer != "identity" || m[0].Policy != "1" || m[0].Sid != "BlockMostAccessUnlessSignedInWithMFA" || m[0].Effect != "Deny" || m[0].Line != 1 {
					t.Fatalf("matched %+v", m)
				}
				if len(m[0].Conditions) != 2 || !m[0].Conditions[0].Matched {
					t.Fatalf("conditions %+v", m[0].Conditions)
				}
			}
		})
	}
}

func TestRunOutputDetails(t *testing.T) {
	in := mustInput(t, `{
  "request": {"principal": "arn:aws:sts::111122223333:assumed-role/app/s", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
              "context": {"aws:SourceIp": "203.0.113.9", "aws:TagKeys": ["a", "b"], "s3:max-keys": 10}},
  "identityPolicies": [{"Version": "2012-10-17", "Statement": [
      {"Sid": "S3", "Effect": "Allow", "Action": "s3:*", "Resource": "*",
       "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b", "c"]}, "NumericLessThanEquals": {"s3:max-keys": "10"}}}]}],
  "serviceControlPolicies": [[{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]],
  "permissionsBoundary": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
}`)
	out, err := Run(in)
	if err != nil {
		t.Fatal(err)
	}
	if out.Decision != Allowed {
		t.Fatalf("%s: %s", out.Decision, out.Reason)
	}
	m := out.MatchedStatements
	if len(m) != 1 || m[0].Sid != "S3" || m[0].Line != 2 || m[0].Column != 7 || len(m[0].Conditions) != 3 {
		t.Fatalf("matched %+v", m)
	}
	for _, c := range m[0].Conditions {
		if !c.Matched || !c.Present || c.Why == "" {
			t.Errorf("condition %+v", c)
		}
	}
	var layers []string
	for _, l := range out.Layers {
		layers = append(layers, l.Layer+"="+l.Decision)
	}
	if got := strings.Join(layers, ","); got != "scp=allowed,identity=allowed,permissionsBoundary=allowed" {
		t.Errorf("layers %s", got)
	}
}

func TestRunErrors(t *testing.T) {
	cases := []struct{ input, want string }{
		{`{"request":{"principal":"` + alice + `","action":"s3:GetObject","resource":"*"},"identityPolicies":[` + allowAll + `,{"Statement":[]}]}`, "identityPolicies[1]"},
		{`{"request":{"principal":"` + alice + `","action":"s3:GetObject","resource":"*"},"resourcePolicy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}}`, "resourcePolicy"},
		{`{"request":{"principal":"` + alice + `","action":"s3:GetObject","resource":"*"},"serviceControlPolicies":[[` + allowAll + `],[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}]]}`, "serviceControlPolicies[1][0]"},
		{`{"request":{"principal":"` + alice + `","action":"s3:GetObject","resource":"*","context":{"k":{"a":1}}}}`, "not an object"},
		{`{"request":{"principal":"` + alice + `","action":"s3:GetObject","resource":"*","context":{"aws:SourceIp":"1.2.3.4","AWS:SOURCEIP":"1.2.3.4"}}}`, "case-insensitive"},
		{`{"request":{"principal":"` + alice + `","action":"s3:GetObject","resource":"*"},"identityPolicies":[null]}`, "identityPolicies[0]"},
	}
	for _, c := range cases {
		in := mustInput(t, c.input)
		_, err := Run(in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Run(%s): error %v, want one mentioning %q", c.input, err, c.want)
		}
	}
}

func TestResourceKind(t *testing.T) {
	trustUser := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"sts:AssumeRole"}]}`
	in := mustInput(t, `{"request":{"principal":"`+alice+`","action":"sts:AssumeRole","resource":"arn:aws:iam::111122223333:role/r"},"resourcePolicy":`+trustUser+`}`)
	out, err := Run(in)
	if err != nil || out.Decision != Allowed {
		t.Fatalf("%v %+v", err, out)
	}
	// Identity alone cannot assume a role or use a key.
	for _, req := range []string{
		`{"principal":"` + alice + `","action":"sts:AssumeRole","resource":"arn:aws:iam::111122223333:role/r"}`,
		`{"principal":"` + alice + `","action":"kms:Decrypt","resource":"arn:aws:kms:us-east-1:111122223333:key/k1"}`,
	} {
		out, err := Run(mustInput(t, `{"request":`+req+`,"identityPolicies":[`+allowAll+`]}`))
		if err != nil || out.Decision != ImplicitDeny {
			t.Errorf("%s: %v %+v", req, err, out)
		}
	}
	// kms:CreateKey has no key: identity policies decide.
	out, err = Run(mustInput(t, `{"request":{"principal":"`+alice+`","action":"kms:CreateKey","resource":"*"},"identityPolicies":[`+allowAll+`]}`))
	if err != nil || out.Decision != Allowed {
		t.Errorf("CreateKey: %v %+v", err, out)
	}
}

var (
	genPolicies = []string{
		allowAll, seedBool, seedIfExist,
		`{"Version":"2012-10-17","Statement":[{"Sid":"S3Read","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24"]}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["team*","env"]}}}}`,
		"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Q\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:PrincipalTag/t\":\"<&>\u2028é\"}}}]}",
		`{"Statement":[{"Effect":"Allow","Action":"*"}]}`,
	}
	genResourcePolicies = []string{
		`null`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"*","Resource":"*"}]}`,
	}
	genPrincipals = []string{alice, "arn:aws:sts::111122223333:assumed-role/app/s", "arn:aws:iam::444455556666:user/carol", "arn:aws:iam::111122223333:root", "s3.amazonaws.com", "arn:aws:sts::111122223333:federated-user/f"}
	genActions    = []string{"s3:GetObject", "ec2:RunInstances", "iam:ListMFADevices", "sts:AssumeRole", "sts:GetCallerIdentity", "kms:Decrypt"}
	genResources  = []string{"*", "arn:aws:s3:::b/alice/x", "arn:aws:s3:::b", "arn:aws:iam::111122223333:role/r", "arn:aws:kms:us-east-1:111122223333:key/k"}
	genContexts   = []string{
		``, `{}`, `null`,
		`{"aws:MultiFactorAuthPresent":"true","aws:MultiFactorAuthAge":"100","aws:ViaAWSService":false}`,
		`{"aws:MultiFactorAuthPresent":false,"aws:ViaAWSService":"false","aws:SourceIp":"203.0.113.7"}`,
		`{"aws:username":"alice","aws:TagKeys":["team-a","env"],"aws:SecureTransport":true}`,
		`{"aws:TagKeys":[],"aws:SourceIp":"198.51.100.1","aws:PrincipalTag/t":"<&>\u2028é","n":12.5e3,"z":null}`,
		`{"aws:TagKeys":[null,"x",1,true]}`,
		`{"k":{"nested":1}}`,
		`{"AWS:username":"alice","aws:USERNAME":"bob"}`,
	}
)

// genLine builds a random input line.
func genLine(r *rand.Rand) []byte {
	var b strings.Builder
	b.WriteString(`{"request":{"principal":` + strconv.Quote(genPrincipals[r.Intn(len(genPrincipals))]))
	b.WriteString(`, "action":` + strconv.Quote(genActions[r.Intn(len(genActions))]))
	b.WriteString(`,"resource":` + strconv.Quote(genResources[r.Intn(len(genResources))]))
	if r.Intn(4) == 0 {
		b.WriteString(`,"resourceAccount":"111122223333"`)
	}
	if c := genContexts[r.Intn(len(genContexts))]; c != "" {
		b.WriteString(`,"context":` + c)
	}
	b.WriteString(`}`)
	if n := r.Intn(3); n > 0 {
		b.WriteString(`,"identityPolicies":[`)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(genPolicies[r.Intn(len(genPolicies))])
		}
		b.WriteString(`]`)
	}
	if r.Intn(2) == 0 {
		b.WriteString(`, "resourcePolicy": ` + genResourcePolicies[r.Intn(len(genResourcePolicies))])
	}
	if r.Intn(4) == 0 {
		b.WriteString(`,"permissionsBoundary":` + genPolicies[r.Intn(len(genPolicies))])
	}
	if r.Intn(5) == 0 {
		b.WriteString(`,"serviceControlPolicies":[[` + allowAll + `],[` + genPolicies[r.Intn(len(genPolicies))] + `]]`)
	}
	if r.Intn(6) == 0 {
		b.WriteString(`,"sessionPolicy":` + genPolicies[r.Intn(len(genPolicies))])
	}
	if r.Intn(8) == 0 {
		b.WriteString(`,"unknownField":{"x":[1,2,{"y":null}]}`)
	}
	b.WriteString("}")
	return []byte(b.String())
}

func TestBatchMatchesRun(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	b := newBatcher(0)
	for i := 0; i < 3000; i++ {
		compareLine(t, b, genLine(r), i+1)
	}
	// Hand-written edge cases.
	for i, line := range []string{
		`null`, `{}`, `[]`, `"x"`, `{"request":null}`, `{"Request":{"Principal":"` + alice + `","ACTION":"s3:GetObject","resource":"*"},"IdentityPolicies":[` + allowAll + `]}`,
		`{"request":{"principal":"a","principal":"` + alice + `","action":"s3:GetObject","resource":"*"},"identityPolicies":[` + allowAll + `]}`,
		`{"request":{"principal":"\u0061rn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"*"},"identityPolicies":[` + allowAll + `]}`,
		`{"request":{"context":{"k":"a","k":null}},"identityPolicies":[]}`,
		`{"request":{"context":{"k":[["a"]]}}}`,
		`{"request":{"principal":5}}`, `{"identityPolicies":{}}`, `{"identityPolicies":[1]}`, `{"serviceControlPolicies":[null,[]]}`,
		`{"request":{}} x`, `{"request":{},}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":"\x"}`, "{\"a\":\"\x01\"}", `{"a":tru}`,
		`{"identityPolicies":[` + allowAll + `],"identityPolicies":null}`,
		`{"request":{"context":{"k":"v"}},"request":{"context":{"j":"w"}}}`,
	} {
		compareLine(t, b, []byte(line), 100000+i)
	}
}

func FuzzBatchMatchesRun(f *testing.F) {
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 20; i++ {
		f.Add(genLine(r))
	}
	f.Add([]byte(`{"request":{"context":{"a":"\ud83d\ude00","K":1}}}`))
	b := newBatcher(16)
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.ContainsAny(line, "\r\n") {
			return
		}
		compareLine(t, b, line, 1)
	})
}

func TestAppendStringMatchesJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\s`, "<a&b>", "\u2028\u2029", "tab\tnl\ncr\r\x00\x1f\x7f", "é漢字😀", "bad\xffutf8\xc3", "\xed\xa0\x80"} {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("a<b>\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func TestRunBatchStream(t *testing.T) {
	good := `{"request":{"principal":"` + alice + `","action":"s3:GetObject","resource":"*"},"identityPolicies":[` + allowAll + `]}`
	// Blank lines (empty, CR only, spaces) are skipped, not answered; line
	// numbers still count them.
	input := good + "\n\nnot json\r\n" + strings.Repeat(" ", 10) + "\n\r\n" + good // no trailing newline
	var out bytes.Buffer
	if err := RunBatch(strings.NewReader(input), &out, BatchOptions{Name: "in.jsonl"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d answers for 3 non-blank lines:\n%s", len(lines), out.String())
	}
	for i, want := range []string{`"decision":"allowed"`, `"error":"in.jsonl:3:1: an input must be a JSON object","line":3`, `"decision":"allowed"`} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("answer %d %s lacks %s", i+1, lines[i], want)
		}
	}
}

// A line longer than the limit stops the batch with an error naming the
// file, the line and the limit, after the answers to the lines before it;
// reading stops there.
func TestRunBatchLineLimit(t *testing.T) {
	good := `{"request":{"principal":"` + alice + `","action":"s3:GetObject","resource":"*"},"identityPolicies":[` + allowAll + `]}`
	for _, c := range []struct {
		name string
		max  int
		long int
	}{
		{"short limit", 1000, 1001},
		{"longer than the read buffer", 100 << 10, 100<<10 + 1},
		{"default limit", 0, MaxLineBytes + 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			long := strings.Repeat("x", c.long)
			r := &countingReader{r: strings.NewReader(good + "\n" + long + "\n" + good + "\n")}
			var out bytes.Buffer
			err := RunBatch(r, &out, BatchOptions{Name: "in.jsonl", MaxLineBytes: c.max})
			limit := c.max
			if limit == 0 {
				limit = MaxLineBytes
			}
			var tl *LineTooLongError
			if !errors.As(err, &tl) || tl.Line != 2 || tl.Limit != limit {
				t.Fatalf("err %v", err)
			}
			if !strings.HasPrefix(err.Error(), "in.jsonl:2: line is longer than ") || !strings.HasSuffix(err.Error(), ", the limit for one --batch line") {
				t.Errorf("message %q", err)
			}
			if n := strings.Count(out.String(), "\n"); n != 1 || !strings.Contains(out.String(), `"allowed"`) {
				t.Errorf("answers before the long line: %q", out.String())
			}
			if r.n > int64(len(good)+1+limit+2+64<<10) {
				t.Errorf("read %d bytes", r.n)
			}
		})
	}
	// Exactly the limit is fine (and answered, here with an error).
	var out bytes.Buffer
	if err := RunBatch(strings.NewReader(strings.Repeat("x", 1000)+"\r\n"), &out, BatchOptions{MaxLineBytes: 1000}); err != nil {
		t.Fatalf("a line of exactly the limit: %v", err)
	}
	if !strings.Contains(out.String(), `"line":1`) {
		t.Errorf("answer %q", out.String())
	}
	if got := (&LineTooLongError{Name: "<stdin>", Line: 7, Limit: 4 << 20}).Error(); got != "<stdin>:7: line is longer than 4 MiB, the limit for one --batch line" {
		t.Errorf("message %q", got)
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestMatrixSeedPolicies(t *testing.T) {
	// Expected outcome of each credential type under the seed's Bool Deny and
	// the recommended BoolIfExists Deny (with an Allow-all beside them; the
	// request is made directly, aws:ViaAWSService false).
	type want struct{ boolDeny, ifExists string }
	expect := map[string]want{
		"long-term-keys":        {Allowed, ExplicitDeny},
		"session-token":         {ExplicitDeny, ExplicitDeny},
		"session-token-mfa":     {Allowed, Allowed},
		"assume-role":           {ExplicitDeny, ExplicitDeny},
		"assume-role-mfa":       {ExplicitDeny, ExplicitDeny},
		"role-from-mfa-session": {Allowed, Allowed},
		"console":               {ExplicitDeny, ExplicitDeny},
		"console-mfa":           {Allowed, Allowed},
		"federated":             {Allowed, ExplicitDeny},
		"saml":                  {Allowed, ExplicitDeny},
		"web-identity":          {Allowed, ExplicitDeny},
	}
	if len(expect) != len(credctx.All()) {
		t.Fatalf("expectations cover %d rows, the table has %d", len(expect), len(credctx.All()))
	}
	for _, pol := range []string{seedBool, seedIfExist} {
		// A role session principal and a session policy (federated users
		// need one), so that only the MFA keys differ between rows.
		in := mustInput(t, `{"request":{"principal":"arn:aws:sts::111122223333:assumed-role/app/s","action":"ec2:RunInstances","resource":"*","context":{"aws:ViaAWSService":"false"}},
			"identityPolicies":[`+allowAll+`,`+pol+`]}`)
		rows, err := matrixAt(in, nil, credctx.All(), time.Unix(1700000000, 0))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			w := expect[r.Credential].boolDeny
			if pol == seedIfExist {
				w = expect[r.Credential].ifExists
			}
			if r.Decision != w {
				t.Errorf("%s with %s: %s, want %s (%s)", r.Credential, map[bool]string{true: "Bool", false: "BoolIfExists"}[pol == seedBool], r.Decision, w, r.Reason)
			}
			if r.Decision == ExplicitDeny && (r.Statement == nil || r.Statement.Sid != "BlockMostAccessUnlessSignedInWithMFA") {
				t.Errorf("%s: deciding statement %+v", r.Credential, r.Statement)
			}
			if r.Credential == "long-term-keys" && pol == seedBool && (r.NearMiss == nil || r.NearMiss.Effect != "Deny") {
				t.Errorf("long-term keys under Bool: near miss %+v", r.NearMiss)
			}
		}
	}
}

func TestMatrixTrustPolicyMFA(t *testing.T) {
	// The AWS CLI guide's trust policy requiring MFA, evaluated for the
	// AssumeRole call: an AssumeRole call with MFA parameters satisfies it.
	trust := `{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/anika"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:multifactorAuthPresent":true}}}]}`
	in := mustInput(t, `{"request":{"principal":"arn:aws:iam::123456789012:user/anika","action":"sts:AssumeRole","resource":"arn:aws:iam::123456789012:role/cli-role"},"resourcePolicy":`+trust+`}`)
	rows, err := matrixAt(in, nil, credctx.All(), time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rows {
		got[r.Credential] = r.Decision
	}
	for cred, want := range map[string]string{
		"long-term-keys":    ImplicitDeny,
		"assume-role":       ImplicitDeny,
		"assume-role-mfa":   Allowed,
		"session-token-mfa": Allowed,
		"session-token":     ImplicitDeny,
	} {
		if got[cred] != want {
			t.Errorf("%s: %s, want %s", cred, got[cred], want)
		}
	}
}

// benchLines builds n lines of a typical simple input: one identity policy
// with a few statements, a small context; the policies repeat.
func benchLines(n int) []byte {
	var b bytes.Buffer
	ctxs := []string{
		`{"aws:MultiFactorAuthPresent":"true","aws:MultiFactorAuthAge":"300","aws:SourceIp":"203.0.113.7"}`,
		`{"aws:SourceIp":"198.51.100.20"}`,
	}
	// Each action with a resource of the type it takes, so that every line is
	// also a valid request for the iam-simulate oracle (scripts/bench.sh).
	actions := []string{"s3:GetObject", "s3:PutObject", "ec2:DescribeInstances", "iam:ListMFADevices"}
	resources := []string{"arn:aws:s3:::b/k%d", "arn:aws:s3:::b/k%d", "*", "arn:aws:iam::111122223333:user/alice"}
	pol := `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"arn:aws:s3:::b/*"},{"Sid":"EC2","Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},{"Sid":"NoMFA","Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`
	for i := 0; i < n; i++ {
		res := resources[i%len(resources)]
		if strings.Contains(res, "%d") {
			res = fmt.Sprintf(res, i%100)
		}
		fmt.Fprintf(&b, `{"request":{"principal":"%s","action":"%s","resource":"%s","context":%s},"identityPolicies":[%s]}`+"\n",
			alice, actions[i%len(actions)], res, ctxs[i%len(ctxs)], pol)
	}
	return b.Bytes()
}

func BenchmarkRunBatch(b *testing.B) {
	const lines = 100000
	input := benchLines(lines)
	b.ReportAllocs()
	b.SetBytes(int64(len(input)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out countWriter
		if err := RunBatch(bytes.NewReader(input), &out, BatchOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

func BenchmarkRun(b *testing.B) {
	line := bytes.SplitN(benchLines(1), []byte("\n"), 2)[0]
	var in Input
	if err := json.Unmarshal(line, &in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Run(&in); err != nil {
			b.Fatal(err)
		}
	}
}
