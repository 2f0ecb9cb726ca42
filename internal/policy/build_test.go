package policy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

type wantErr struct {
	pos string // "line:col"
	msg string // substring of the message
}

// doc wraps statements (already JSON) in a 2012-10-17 policy on one line.
func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// col returns the 1-based column of the first occurrence of marker in s.
func col(s, marker string) int {
	i := strings.Index(s, marker)
	if i < 0 {
		panic("marker " + marker + " not in " + s)
	}
	return i + 1
}

func TestFromNodeErrors(t *testing.T) {
	const okStmt = `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`
	type tc struct {
		name string
		kind Kind
		in   string
		want []wantErr
	}
	var tests []tc
	add := func(name string, kind Kind, in string, want ...wantErr) {
		tests = append(tests, tc{name, kind, in, want})
	}
	// at builds an expectation for line 1 at the column of marker.
	at := func(in, marker, msg string) wantErr {
		return wantErr{fmt.Sprintf("1:%d", col(in, marker)), msg}
	}

	// Document level.
	add("not an object", KindUnknown, `["x"]`, wantErr{"1:1", "policy document must be a JSON object, not an array"})
	add("string document", KindUnknown, `"x"`, wantErr{"1:1", "not a string"})
	add("missing Statement", KindUnknown, `{"Version":"2012-10-17"}`, wantErr{"1:1", "missing Statement element"})
	in := `{"Version":"2012-10-17","Statement":[]}`
	add("empty Statement list", KindUnknown, in, at(in, "[]", "Statement must not be an empty list"))
	in = `{"Statement":"x"}`
	add("Statement a string", KindUnknown, in, at(in, `"x"`, "Statement must be an object or a list of objects, not a string"))
	in = `{"Statement":[1]}`
	add("statement a number", KindUnknown, in, at(in, "1]", "statement 0 must be an object, not a number"))
	in = `{"Version":"2012-10-18","Statement":[` + okStmt + `]}`
	add("bad Version", KindUnknown, in, at(in, `"2012-10-18"`, `Version "2012-10-18" is not valid: use "2012-10-17"`))
	in = `{"Version":2012,"Statement":[` + okStmt + `]}`
	add("Version number", KindUnknown, in, at(in, "2012,", "Version must be a string, not a number"))
	in = `{"Id":["x"],"Statement":[` + okStmt + `]}`
	add("Id list", KindUnknown, in, at(in, `["x"]`, "Id must be a string, not an array"))
	in = `{"Version":"2012-10-17","Statment":[]}`
	add("unknown top-level element", KindUnknown, in,
		at(in, `"Statment"`, `unknown policy element "Statment" (allowed: Version, Id, Statement)`),
		wantErr{"1:1", "missing Statement"})
	in = `{"version":"2012-10-17","Statement":[` + okStmt + `]}`
	add("lowercase version", KindUnknown, in, at(in, `"version"`, `unknown policy element "version" (names are case-sensitive: did you mean "Version"?)`))
	in = `{"Statement":[` + okStmt + `],"Statement":[` + okStmt + `]}`
	add("duplicate Statement", KindUnknown, in, wantErr{fmt.Sprintf("1:%d", strings.LastIndex(in, `"Statement"`)+1), `duplicate policy element "Statement" (first at 1:2)`})

	// Statement structure.
	in = doc(`{}`)
	add("empty statement", KindUnknown, in, at(in, "{}", "statement 0: empty statement"))
	in = doc(`{"Action":"*","Resource":"*"}`)
	add("missing Effect", KindUnknown, in, at(in, `{"Action"`, `statement 0: missing Effect`))
	in = doc(okStmt, `{"Sid":"DenyNoMFA","Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExist":{"aws:MultiFactorAuthPresent":"false"}}}`)
	add("unknown operator names statement", KindUnknown, in, at(in, `"BoolIfExist"`, `statement 1 ("DenyNoMFA"): unknown condition operator "BoolIfExist"`))
	in = doc(`{"Effect":"allow","Action":"*","Resource":"*"}`)
	add("lowercase Effect", KindUnknown, in, at(in, `"allow"`, `statement 0: Effect "allow" is not valid: must be "Allow" or "Deny" (Effect is case-sensitive)`))
	in = doc(`{"Effect":"Permit","Action":"*","Resource":"*"}`)
	add("bad Effect", KindUnknown, in, at(in, `"Permit"`, `Effect "Permit" is not valid`))
	in = doc(`{"Effect":true,"Action":"*","Resource":"*"}`)
	add("Effect not a string", KindUnknown, in, at(in, "true", `Effect must be the string "Allow" or "Deny", not a boolean`))
	in = doc(`{"Effect":"Allow","Action":3,"Resource":"*"}`)
	add("Action a number", KindUnknown, in, at(in, "3,", "statement 0: Action must be a string or a list of strings, not a number"))
	in = doc(`{"Effect":"Allow","Action":["s3:GetObject",null],"Resource":"*"}`)
	add("Action item null", KindUnknown, in, at(in, "null", "Action[1] must be a string, not null"))
	in = doc(`{"Effect":"Allow","Action":[],"Resource":"*"}`)
	add("empty Action", KindUnknown, in, at(in, "[]", "Action must not be an empty list"))
	in = doc(`{"Effect":"Allow","Action":"*","Resource":{"a":"b"}}`)
	add("Resource object", KindUnknown, in, at(in, `{"a"`, "Resource must be a string or a list of strings, not an object"))
	in = doc(`{"Sid":"S1","Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}`)
	add("Action and NotAction", KindUnknown, in, at(in, `"NotAction"`, `statement 0 ("S1"): has both Action and NotAction`))
	in = doc(`{"Effect":"Allow","Resource":"*"}`)
	add("neither Action nor NotAction", KindUnknown, in, at(in, `{"Effect"`, "missing Action or NotAction"))
	in = doc(`{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"x"}`)
	add("Resource and NotResource", KindUnknown, in, at(in, `"NotResource"`, "has both Resource and NotResource"))
	in = doc(`{"Effect":"Deny","Action":"*","Principal":"*","NotPrincipal":{"AWS":"x"}}`)
	add("Principal and NotPrincipal", KindUnknown, in, at(in, `"NotPrincipal"`, "has both Principal and NotPrincipal"))
	in = doc(`{"Effect":"Allow","Action":"*","Resource":"*","Actions":"x"}`)
	add("unknown statement element", KindUnknown, in, at(in, `"Actions"`, `unknown statement element "Actions" (allowed: Sid, Effect,`))
	in = doc(`{"effect":"Allow","Action":"*","Resource":"*"}`)
	add("lowercase element", KindUnknown, in,
		at(in, `"effect"`, `did you mean "Effect"?`),
		at(in, `{"effect"`, "missing Effect"))
	in = doc(`{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}`)
	add("duplicate Effect", KindUnknown, in, wantErr{fmt.Sprintf("1:%d", strings.LastIndex(in, `"Effect"`)+1), `statement 0: duplicate element "Effect" (first at 1:`})
	in = doc(`{"Sid":5,"Effect":"Allow","Action":"*","Resource":"*"}`)
	add("Sid number", KindUnknown, in, at(in, "5,", "Sid must be a string, not a number"))

	// Principal forms.
	in = doc(`{"Effect":"Allow","Principal":"arn:aws:iam::123456789012:root","Action":"*"}`)
	add("string principal", KindUnknown, in, at(in, `"arn:`, `Principal "arn:aws:iam::123456789012:root" is not valid: a bare string must be "*"`))
	in = doc(`{"Effect":"Allow","Principal":{"User":"x"},"Action":"*"}`)
	add("unknown principal type", KindUnknown, in, at(in, `"User"`, `unknown principal type "User" (allowed: AWS, Service, Federated, CanonicalUser)`))
	in = doc(`{"Effect":"Allow","Principal":{"aws":"x"},"Action":"*"}`)
	add("lowercase principal type", KindUnknown, in, at(in, `"aws"`, `did you mean "AWS"?`))
	in = doc(`{"Effect":"Allow","Principal":{},"Action":"*"}`)
	add("empty principal", KindUnknown, in, at(in, "{},", "Principal must not be an empty object"))
	in = doc(`{"Effect":"Allow","Principal":["*"],"Action":"*"}`)
	add("principal list", KindUnknown, in, at(in, `["*"]`, `Principal must be "*" or an object, not an array`))
	in = doc(`{"Effect":"Allow","Principal":{"AWS":[]},"Action":"*"}`)
	add("principal empty list", KindUnknown, in, at(in, "[]", "Principal.AWS must not be an empty list"))
	in = doc(`{"Effect":"Allow","Principal":{"AWS":123456789012},"Action":"*"}`)
	add("principal number", KindUnknown, in, at(in, "123456789012", "Principal.AWS must be a string or a list of strings, not a number"))
	in = doc(`{"Effect":"Allow","Principal":{"AWS":"a","AWS":"b"},"Action":"*"}`)
	add("duplicate principal type", KindUnknown, in, at(in, `"AWS":"b"`, `duplicate principal type "AWS" in Principal`))

	// Conditions.
	in = doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":["x"]}`)
	add("Condition list", KindUnknown, in, at(in, `["x"]`, "Condition must be an object of condition operators, not an array"))
	in = doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":"x"}}`)
	add("operator block string", KindUnknown, in, at(in, `"x"`, `condition operator "Bool" must map to an object of condition keys, not a string`))
	in = doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{}}}`)
	add("operator block empty", KindUnknown, in, at(in, `{}}`, `condition operator "Bool" has no condition keys`))
	in = doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":null}}}`)
	add("null value", KindUnknown, in, at(in, "null", `Bool "aws:SecureTransport": condition value must be a string, boolean or number, not null`))
	in = doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"k":{"a":"b"}}}}`)
	add("object value", KindUnknown, in, at(in, `{"a"`, "not an object"))
	in = doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":["a",["b"]]}}}`)
	add("nested list value", KindUnknown, in, at(in, `["b"]`, "not an array"))
	in = doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":[]}}}`)
	add("empty value list", KindUnknown, in, at(in, "[]", `StringEquals "k": empty list of condition values`))
	in = doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NullIfExists":{"k":"true"}}}`)
	add("NullIfExists", KindUnknown, in, at(in, `"NullIfExists"`, "IfExists cannot be added to Null"))
	in = doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAnyValue:NullIfExists":{"k":"true"}}}`)
	add("set NullIfExists", KindUnknown, in, at(in, `"ForAnyValue:NullIfExists"`, "IfExists cannot be added to Null"))
	in = doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"stringEquals":{"k":"v"}}}`)
	add("operator case", KindUnknown, in, at(in, `"stringEquals"`, `unknown condition operator "stringEquals" (did you mean "StringEquals"? operator names are case-sensitive)`))
	in = doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForSomeValues:StringEquals":{"k":"v"}}}`)
	add("bad set qualifier", KindUnknown, in, at(in, `"ForSomeValues`, "the only set qualifiers are ForAllValues: and ForAnyValue:"))
	in = doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"a":"true"},"Bool":{"b":"true"}}}`)
	add("duplicate operator", KindUnknown, in, at(in, `"Bool":{"b"`, `duplicate condition operator "Bool"`))
	in = doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"a":"true","a":"false"}}}`)
	add("duplicate condition key", KindUnknown, in, at(in, `"a":"false"`, `duplicate condition key "a" under "Bool"`))

	// Several errors are all reported, in document order.
	in = doc(`{"Sid":"A","Effect":"Alow","Action":"*","Resource":"*"}`, `{"Sid":"B","Effect":"Allow","Action":5}`)
	add("multiple errors", KindIdentity, in,
		at(in, `"Alow"`, `statement 0 ("A"): Effect "Alow"`),
		at(in, "5}", `statement 1 ("B"): Action must be`),
		at(in, `{"Sid":"B"`, `statement 1 ("B"): missing Resource or NotResource`))

	// Kinds.
	in = doc(`{"Effect":"Allow","Action":"*"}`)
	add("identity missing Resource", KindIdentity, in, at(in, `{"Effect"`, "missing Resource or NotResource (required in an identity-based policy)"))
	add("boundary missing Resource", KindBoundary, in, at(in, `{"Effect"`, "required in a permissions boundary"))
	add("session missing Resource", KindSession, in, at(in, `{"Effect"`, "required in a session policy"))
	add("scp missing Resource", KindSCP, in, at(in, `{"Effect"`, "required in a service control policy"))
	in = doc(`{"Effect":"Allow","Principal":{"AWS":"x"},"Action":"*","Resource":"*"}`)
	add("identity with Principal", KindIdentity, in, at(in, `"Principal"`, "Principal is not allowed in an identity-based policy"))
	add("scp with Principal", KindSCP, in, at(in, `"Principal"`, "Principal is not allowed in a service control policy"))
	in = doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"x"},"Action":"*","Resource":"*"}`)
	add("session with NotPrincipal", KindSession, in, at(in, `"NotPrincipal"`, "NotPrincipal is not allowed in a session policy"))
	in = doc(okStmt)
	add("resource missing Principal", KindResource, in, at(in, `{"Effect"`, "missing Principal: a resource-based policy must say whom it applies to"))
	in = doc(`{"Effect":"Allow","Action":"sts:AssumeRole"}`)
	add("trust missing Principal", KindTrust, in, at(in, `{"Effect"`, "missing Principal"))
	in = doc(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}`)
	add("trust with Resource", KindTrust, in, at(in, `"Resource"`, "Resource is not allowed in a role trust policy"))
	in = doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"x"},"Action":"sts:AssumeRole"}`)
	add("trust with NotPrincipal", KindTrust, in, at(in, `"NotPrincipal"`, "NotPrincipal is not allowed in a role trust policy"))
	in = doc(`{"Effect":"Deny","Principal":{"AWS":"x"},"Action":"s3:*","Resource":"*"}`)
	add("rcp principal not star", KindRCP, in, at(in, `"Principal"`, `Principal of a resource control policy must be "*"`))
	in = doc(`{"Effect":"Deny","Principal":"*","NotAction":"s3:*","Resource":"*"}`)
	add("rcp NotAction", KindRCP, in, at(in, `"NotAction"`, "NotAction is not allowed in a resource control policy"))
	in = `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`
	add("rcp without Version", KindRCP, in, wantErr{"1:1", `missing Version: a resource control policy must have "Version": "2012-10-17"`})
	in = doc(`{"Sid":"Same","Effect":"Allow","Action":"*","Resource":"*"}`, `{"Sid":"Same","Effect":"Deny","Action":"*","Resource":"*"}`)
	add("duplicate Sid", KindIdentity, in, wantErr{fmt.Sprintf("1:%d", strings.LastIndex(in, `"Sid"`)+1), `statement 1: duplicate Sid "Same" (also used by statement 0 at 1:`})
	in = doc(`{"Sid":"Allow S3","Effect":"Allow","Action":"*","Resource":"*"}`)
	add("Sid with space in IAM", KindIdentity, in, at(in, `"Allow S3"`, `Sid "Allow S3" is not valid in an identity-based policy: only the letters A-Z, a-z and the digits 0-9`))

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKind("p.json", []byte(tt.in), tt.kind)
			if err == nil {
				t.Fatalf("no error for %s", tt.in)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error is %T, not ErrorList", err)
			}
			if len(list) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v\ninput: %s", len(list), len(tt.want), err, tt.in)
			}
			for i, w := range tt.want {
				e := list[i]
				if e.File != "p.json" || e.Pos.String() != w.pos || !strings.Contains(e.Msg, w.msg) {
					t.Errorf("error %d:\n got %s\nwant p.json:%s: ...%s...\ninput: %s", i, e, w.pos, w.msg, tt.in)
				}
				if !strings.HasPrefix(e.Error(), "p.json:"+w.pos+": ") {
					t.Errorf("Error() = %q lacks file:line:col", e.Error())
				}
			}
		})
	}
}

// Lenient kinds accept what stricter kinds reject.
func TestFromNodeKindAccepts(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		in   string
	}{
		{"unknown without Resource or Principal", KindUnknown, doc(`{"Effect":"Allow","Action":"*"}`)},
		{"unknown with Principal and Resource", KindUnknown, doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`)},
		{"unknown Sid with spaces and duplicates", KindUnknown, doc(`{"Sid":"a b","Effect":"Allow","Action":"*"}`, `{"Sid":"a b","Effect":"Allow","Action":"*"}`)},
		{"resource Sid with spaces and duplicates", KindResource, doc(`{"Sid":"a b","Effect":"Allow","Principal":"*","Action":"*"}`, `{"Sid":"a b","Effect":"Allow","Principal":"*","Action":"*"}`)},
		{"identity empty Sids", KindIdentity, doc(`{"Sid":"","Effect":"Allow","Action":"*","Resource":"*"}`, `{"Sid":"","Effect":"Allow","Action":"*","Resource":"*"}`)},
		{"trust", KindTrust, doc(`{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole","sts:TagSession"]}`)},
		{"resource NotPrincipal", KindResource, doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}`)},
		{"rcp", KindRCP, doc(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-1"}}}`)},
		{"rcp full access allow", KindRCP, doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`)},
		{"scp NotResource", KindSCP, doc(`{"Effect":"Deny","Action":"*","NotResource":"arn:aws:s3:::x"}`)},
		{"session", KindSession, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`},
		{"boundary 2008 version", KindBoundary, `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"no version", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"id present", KindUnknown, `{"Id":"","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"empty condition object", KindUnknown, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{}}`)},
		{"ForAllValues Null", KindUnknown, doc(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:Null":{"aws:TagKeys":"false"},"ForAnyValue:Null":{"aws:TagKeys":false}}}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseKind("ok.json", []byte(tt.in), tt.kind); err != nil {
				t.Errorf("ParseKind(%s): %v\n%s", tt.kind, err, tt.in)
			}
		})
	}
}

func TestParseModel(t *testing.T) {
	src := "{\n" +
		"  \"Version\": \"2012-10-17\",\n" +
		"  \"Statement\": [\n" +
		"    {\"Sid\": \"DenyNoMFA\", \"Effect\": \"Deny\", \"NotAction\": [\"iam:ListMFADevices\", \"sts:GetSessionToken\"], \"Resource\": \"*\",\n" +
		"     \"Condition\": {\"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\", \"aws:ViaAWSService\": false},\n" +
		"                   \"ForAnyValue:StringLike\": {\"aws:TagKeys\": [\"a*\", 1.50]}}},\n" +
		"    {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": [\"arn:aws:iam::1:root\"], \"Service\": \"ec2.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}\n" +
		"  ]\n" +
		"}\n"
	d, err := Parse("model.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if d.File != "model.json" || d.Version != Version2012 || d.HasID || d.StatementSingle || len(d.Statements) != 2 {
		t.Fatalf("document fields: %+v", d)
	}
	if d.Pos != (Pos{1, 1}) || d.VersionPos != (Pos{2, 3}) || d.StatementPos != (Pos{3, 3}) {
		t.Errorf("document positions: %v %v %v", d.Pos, d.VersionPos, d.StatementPos)
	}
	s := d.Statements[0]
	if s.Index != 0 || s.Sid != "DenyNoMFA" || !s.HasSid || s.Effect != Deny || s.Label() != "DenyNoMFA" {
		t.Errorf("statement 0: %+v", s)
	}
	if s.Pos != (Pos{4, 5}) || s.SidPos != (Pos{4, 6}) || s.EffectPos != (Pos{4, 26}) || s.ConditionPos != (Pos{5, 6}) {
		t.Errorf("statement 0 positions: %v %v %v %v", s.Pos, s.SidPos, s.EffectPos, s.ConditionPos)
	}
	wantNotAction := StringList{Values: []string{"iam:ListMFADevices", "sts:GetSessionToken"}, Present: true,
		Pos: Pos{4, 44}, ValuePos: []Pos{{4, 58}, {4, 80}}}
	if !reflect.DeepEqual(s.NotAction, wantNotAction) {
		t.Errorf("NotAction = %+v\nwant %+v", s.NotAction, wantNotAction)
	}
	if s.Action.Present || s.NotResource.Present || !s.Resource.Single || s.Resource.Values[0] != "*" {
		t.Errorf("Action/Resource: %+v %+v", s.Action, s.Resource)
	}
	wantConds := []Condition{
		{Operator: "BoolIfExists", Op: Operator{Base: "Bool", IfExists: true}, Key: "aws:MultiFactorAuthPresent",
			Values: []Value{{Raw: "false", Kind: KindString, Pos: Pos{5, 67}}}, ValuesSingle: true,
			OperatorPos: Pos{5, 20}, KeyPos: Pos{5, 37}},
		{Operator: "BoolIfExists", Op: Operator{Base: "Bool", IfExists: true}, Key: "aws:ViaAWSService",
			Values: []Value{{Raw: "false", Kind: KindBool, Pos: Pos{5, 97}}}, ValuesSingle: true,
			OperatorPos: Pos{5, 20}, KeyPos: Pos{5, 76}},
		{Operator: "ForAnyValue:StringLike", Op: Operator{Base: "StringLike", Set: ForAnyValue}, Key: "aws:TagKeys",
			Values:      []Value{{Raw: "a*", Kind: KindString, Pos: Pos{6, 63}}, {Raw: "1.50", Kind: KindNumber, Pos: Pos{6, 69}}},
			OperatorPos: Pos{6, 20}, KeyPos: Pos{6, 47}},
	}
	if !reflect.DeepEqual(s.Conditions, wantConds) {
		t.Errorf("Conditions =\n%+v\nwant\n%+v", s.Conditions, wantConds)
	}
	s = d.Statements[1]
	if s.Label() != "#1" || s.HasSid || s.Principal == nil || s.Principal.Wildcard || len(s.Principal.Entries) != 2 {
		t.Fatalf("statement 1: %+v", s)
	}
	e := s.Principal.Entries
	if e[0].Type != "AWS" || e[0].Values.Single || e[0].Values.Values[0] != "arn:aws:iam::1:root" ||
		e[1].Type != "Service" || !e[1].Values.Single || e[1].Pos != (Pos{7, 71}) {
		t.Errorf("principal entries: %+v", e)
	}
}

func TestParseSeeds(t *testing.T) {
	// The seed lesson: the Bool form and the BoolIfExists form parse to the
	// operators the evaluator must tell apart.
	tests := []struct {
		file string
		kind Kind
		op   Operator
		raw  string
		vk   ValueKind
	}{
		{"seed_deny_bool_no_mfa.json", KindIdentity, Operator{Base: "Bool"}, "false", KindString},
		{"seed_deny_boolifexists.json", KindIdentity, Operator{Base: "Bool", IfExists: true}, "false", KindString},
		{"seed_deny_boolifexists_single.json", KindIdentity, Operator{Base: "Bool", IfExists: true}, "false", KindString},
		{"seed_trust_mfa.json", KindTrust, Operator{Base: "Bool"}, "true", KindBool},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			d, err := ParseKind(tt.file, data, tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, c := range d.Statements[0].Conditions {
				if strings.EqualFold(c.Key, "aws:MultiFactorAuthPresent") {
					found = true
					if c.Op != tt.op || c.Values[0].Raw != tt.raw || c.Values[0].Kind != tt.vk {
						t.Errorf("condition %+v, want op %v value %s (%v)", c, tt.op, tt.raw, tt.vk)
					}
				}
			}
			if !found {
				t.Error("no aws:MultiFactorAuthPresent condition")
			}
		})
	}
}

func TestKindNames(t *testing.T) {
	for k := KindUnknown; k <= KindSession; k++ {
		got, ok := ParseKindName(strings.ToUpper(k.String()))
		if !ok || got != k {
			t.Errorf("ParseKindName(%q) = %v, %v", k.String(), got, ok)
		}
	}
	if _, ok := ParseKindName("bogus"); ok {
		t.Error("ParseKindName accepted bogus")
	}
	if Kind(99).String() != "Kind(99)" {
		t.Error(Kind(99).String())
	}
}

func TestFromNodeNil(t *testing.T) {
	if _, err := FromNode("x", nil); err == nil {
		t.Error("FromNode(nil) succeeded")
	}
}

// Front ends other than ParseJSON (YAML, Terraform) may build Nodes without
// positions; messages then carry the file name only.
func TestFromNodeWithoutPositions(t *testing.T) {
	str := func(s string) *Node { return &Node{Kind: NodeString, Str: s} }
	n := &Node{Kind: NodeObject, Members: []Member{
		{Key: "Statement", Value: &Node{Kind: NodeObject, Members: []Member{
			{Key: "Sid", Value: str("S")},
			{Key: "Effect", Value: str("Alow")},
			{Key: "Action", Value: str("*")},
			{Key: "Resource", Value: str("*")},
		}}},
	}}
	d, err := FromNode("template.yaml", n)
	if err == nil || err.Error() != `template.yaml: statement 0 ("S"): Effect "Alow" is not valid: must be "Allow" or "Deny"` {
		t.Fatalf("err = %v", err)
	}
	// The partial document is still returned.
	if d == nil || len(d.Statements) != 1 || d.Statements[0].Sid != "S" || !d.StatementSingle {
		t.Errorf("partial document: %+v", d)
	}
}

// Objects with many keys use an index to find duplicates.
func TestDuplicateKeysInLargeObject(t *testing.T) {
	var keys []string
	for i := 0; i < 20; i++ {
		keys = append(keys, fmt.Sprintf(`"k%d":"v"`, i))
	}
	keys = append(keys, `"k3":"again"`)
	in := doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{` + strings.Join(keys, ",") + `}}}`)
	_, err := Parse("big.json", []byte(in))
	want := fmt.Sprintf(`big.json:1:%d: statement 0: duplicate condition key "k3" under "StringEquals" (first at 1:%d)`,
		col(in, `"k3":"again"`), col(in, `"k3":"v"`))
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

func TestBuildErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"`)
	for i := 0; i < 3*MaxErrors; i++ {
		fmt.Fprintf(&b, `,"Bad%d":1`, i)
	}
	b.WriteString(`}]}`)
	_, err := Parse("many.json", []byte(b.String()))
	var list ErrorList
	if !errors.As(err, &list) || len(list) != MaxErrors+1 {
		t.Fatalf("%d errors, want %d: %v", len(list), MaxErrors+1, err)
	}
	if last := list[MaxErrors].Msg; last != "more than 100 errors: the rest of the document is not reported" {
		t.Errorf("last error %q", last)
	}
}
