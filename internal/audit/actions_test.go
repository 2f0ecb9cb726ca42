package audit

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/awsmfa/awsmfa/internal/account"
)

func TestDefaultActions(t *testing.T) {
	acts := DefaultActions()
	if len(acts) < 200 {
		t.Fatalf("built-in action set has %d actions, want at least 200", len(acts))
	}
	services := map[string]bool{}
	for _, a := range acts {
		svc, _, _ := strings.Cut(a, ":")
		services[svc] = true
		if IsSelfService(a) {
			t.Errorf("built-in action %s is MFA self-service: it would never count", a)
		}
	}
	if len(services) < 30 {
		t.Errorf("built-in action set covers %d services", len(services))
	}
	if !bytes.HasPrefix(builtinActions, []byte("# awsmfa audit: the built-in action set.")) {
		t.Error("actions.txt lost its header")
	}
}

func TestSelfServiceActions(t *testing.T) {
	ss := SelfServiceActions()
	for _, a := range []string{"iam:EnableMFADevice", "iam:CreateVirtualMFADevice", "iam:GetUser", "sts:GetSessionToken", "iam:ListMFADevices", "iam:ResyncMFADevice"} {
		if !IsSelfService(strings.ToUpper(a)) || !containsString(ss, a) {
			t.Errorf("%s is not self-service", a)
		}
	}
	for _, a := range []string{"iam:DeactivateMFADevice", "iam:CreateAccessKey", "s3:GetObject"} {
		if IsSelfService(a) {
			t.Errorf("%s is self-service", a)
		}
	}
}

func TestParseActions(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		err      string
	}{
		{name: "comments and blanks", in: "# head\n\ns3:GetObject  # read\n  ec2:RunInstances\n", want: []string{"s3:GetObject", "ec2:RunInstances"}},
		{name: "duplicates ignoring case", in: "s3:GetObject\nS3:getobject\n", want: []string{"s3:GetObject"}},
		{name: "CRLF", in: "s3:GetObject\r\napigateway:GET\r\n", want: []string{"s3:GetObject", "apigateway:GET"}},
		{name: "wildcard", in: "s3:GetObject\ns3:Get*\n", err: "x.txt:2: \"s3:Get*\": wildcards are not allowed"},
		{name: "no colon", in: "GetObject\n", err: "x.txt:1: \"GetObject\": not a service:Action name"},
		{name: "empty action", in: "s3:\n", err: "x.txt:1:"},
		{name: "space inside", in: "s3:Get Object\n", err: "x.txt:1: \"s3:Get Object\": action has character ' '"},
		{name: "bad service", in: "s_3:Get\n", err: "x.txt:1: \"s_3:Get\": service prefix"},
		{name: "two colons", in: "s3:a:b\n", err: "x.txt:1:"},
		{name: "empty file", in: "# nothing\n", err: "x.txt: no actions"},
		{name: "too long", in: "s3:" + strings.Repeat("a", 300) + "\n", err: "x.txt:1: action name longer than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseActions(strings.NewReader(tc.in), "x.txt")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseActionsLimits(t *testing.T) {
	big := strings.Repeat("#", MaxActionsFileSize+1)
	if _, err := ParseActions(strings.NewReader(big), "big.txt"); err == nil || !strings.Contains(err.Error(), "big.txt: larger than") {
		t.Errorf("oversized file: %v", err)
	}
	var b strings.Builder
	for i := 0; i <= MaxActions; i++ {
		b.WriteString("svc:A")
		for n := i; ; n /= 26 {
			b.WriteByte(byte('a' + n%26))
			if n < 26 {
				break
			}
		}
		b.WriteByte('\n')
	}
	if _, err := ParseActions(strings.NewReader(b.String()), "many.txt"); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("too many actions: %v", err)
	}
	boom := errors.New("disk on fire")
	if _, err := ParseActions(iotest.ErrReader(boom), "r.txt"); !errors.Is(err, boom) || !strings.Contains(err.Error(), "r.txt") {
		t.Errorf("read error: %v", err)
	}
	if got, err := ParseActionsData([]byte("kms:Decrypt\n"), "d.txt"); err != nil || len(got) != 1 {
		t.Errorf("ParseActionsData: %v %v", got, err)
	}
}

// Options.Actions replaces the built-in set; the policies' literal actions
// are still added, and wildcards match only the set.
func TestActionSetFromOptions(t *testing.T) {
	b := newAccount(t)
	b.user("quinn", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{
		"p": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "dynamodb:Scan"], "Resource": "*"}]}`,
	}})
	rep := b.run(Options{Actions: []string{"s3:GetObject", "ec2:RunInstances"}, Credentials: []Credential{CredAccessKeys}})
	fs := findings(rep, RuleKeysActWithoutMFA, userARN("quinn"))
	if len(fs) != 1 || strings.Join(fs[0].Actions, ",") != "dynamodb:Scan,s3:GetObject" || fs[0].ActionCount != 2 {
		t.Fatalf("findings %+v", fs)
	}
	if rep.Stats.Actions != 3 {
		t.Errorf("action set of %d", rep.Stats.Actions)
	}
}

func FuzzParseActions(f *testing.F) {
	f.Add(builtinActions)
	for _, s := range []string{"", "s3:GetObject", "a:b\n#c\n\n", "s3:Get*", ":", "a:b:c", "\xff:\xfe", "s3:a\r\n", strings.Repeat("x:y\n", 100)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		acts, err := ParseActions(bytes.NewReader(data), "f.txt")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.txt") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(acts) == 0 || len(acts) > MaxActions {
			t.Fatalf("%d actions without error", len(acts))
		}
		seen := map[string]bool{}
		for _, a := range acts {
			if checkActionName(a) != nil || strings.ContainsAny(a, " \t#*?") {
				t.Fatalf("accepted %q", a)
			}
			if seen[strings.ToLower(a)] {
				t.Fatalf("duplicate %q", a)
			}
			seen[strings.ToLower(a)] = true
		}
		// Parsing the accepted list again gives the same list.
		again, err := ParseActions(strings.NewReader(strings.Join(acts, "\n")), "f.txt")
		if err != nil || strings.Join(again, "\n") != strings.Join(acts, "\n") {
			t.Fatalf("round trip: %v %v", again, err)
		}
	})
}

func TestWildMatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"*", "s3:getobject", true},
		{"s3:*", "s3:getobject", true},
		{"s3:get*", "s3:putobject", false},
		{"ec2:describe*", "ec2:describeregions", true},
		{"s3:get?bject", "s3:getobject", true},
		{"s3:get?bject", "s3:getbject", false},
		{"*:*object", "s3:getobject", true},
		{"iam:*mfa*", "iam:enablemfadevice", true},
		{"s3:getobject", "s3:getobject", true},
		{"s3:getobject", "s3:getobjects", false},
		{"a*b*c", "abxbxc", true},
		{"a*b*c", "abxbx", false},
		{"", "", true},
		{"**", "", true},
	}
	for _, tc := range tests {
		if got := wildMatch(tc.p, tc.s); got != tc.want {
			t.Errorf("wildMatch(%q, %q) = %v", tc.p, tc.s, got)
		}
	}
}

func TestMaterialise(t *testing.T) {
	u := &userStateForTest
	tests := []struct{ in, want string }{
		{"arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::111122223333:user/rita"},
		{"arn:aws:s3:::home-${aws:username}/*", "arn:aws:s3:::home-rita/*"},
		{"arn:aws:s3:::x/${aws:PrincipalTag/team, 'none'}", "arn:aws:s3:::x/ops"},
		{"arn:aws:s3:::x/${aws:PrincipalTag/dept, 'none'}", "arn:aws:s3:::x/none"},
		{"arn:aws:s3:::x/${aws:SourceIp}", "arn:aws:s3:::x/${aws:SourceIp}"},
		{"arn:aws:s3:::x/${*}", "arn:aws:s3:::x/*"},
		{"arn:aws:s3:::bucket", "arn:aws:s3:::bucket"},
		{"arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:*:111122223333:instance/*"},
		{"arn:aws:s3:::x/${unterminated", "arn:aws:s3:::x/${unterminated"},
	}
	for _, tc := range tests {
		if got := materialise(tc.in, u, testAcct); got != tc.want {
			t.Errorf("materialise(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

var userStateForTest = account.User{Name: "rita", ARN: "arn:aws:iam::111122223333:user/rita", Tags: []account.Tag{{Key: "team", Value: "ops"}}}
