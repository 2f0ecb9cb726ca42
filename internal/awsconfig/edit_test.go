package awsconfig

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestSetProfile(t *testing.T) {
	tests := []struct {
		name, in, profile string
		kv                []KeyValue
		out               string
	}{
		{"update in place keeps comment and spacing", "[profile a]\nregion   =  us-east-1   # home\noutput = json\n", "a",
			[]KeyValue{{"region", "eu-west-1"}}, "[profile a]\nregion   =  eu-west-1   # home\noutput = json\n"},
		{"key spelling kept", "[profile a]\nRegion=x\n", "a", []KeyValue{{"REGION", "y"}}, "[profile a]\nRegion=y\n"},
		{"append before next section's comments", "[profile a]\nregion = x\n\n# about b\n[profile b]\nregion = z\n", "a",
			[]KeyValue{{"mfa_serial", "arn:aws:iam::123456789012:mfa/a"}, {"duration_seconds", "3600"}},
			"[profile a]\nregion = x\nmfa_serial = arn:aws:iam::123456789012:mfa/a\nduration_seconds = 3600\n\n# about b\n[profile b]\nregion = z\n"},
		{"empty section", "[profile a]\n\n[profile b]\n", "a", []KeyValue{{"k", "v"}}, "[profile a]\nk = v\n\n[profile b]\n"},
		{"header with comment", "[profile a] # mine\n", "a", []KeyValue{{"k", "v"}}, "[profile a] # mine\nk = v\n"},
		{"new section at end", "[default]\nregion = x\n", "new", []KeyValue{{"role_arn", "arn:aws:iam::123456789012:role/R"}, {"source_profile", "default"}},
			"[default]\nregion = x\n\n[profile new]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = default\n"},
		{"new section after blank line", "[default]\nregion = x\n\n", "n", []KeyValue{{"k", "v"}}, "[default]\nregion = x\n\n[profile n]\nk = v\n"},
		{"new default section", "[profile a]\nk = 1\n", "default", []KeyValue{{"region", "r"}}, "[profile a]\nk = 1\n\n[default]\nregion = r\n"},
		{"empty file", "", "a", []KeyValue{{"k", "v"}}, "[profile a]\nk = v\n"},
		{"no keys creates the section", "", "a", nil, "[profile a]\n"},
		{"crlf kept", "[profile a]\r\nregion = x\r\n", "a", []KeyValue{{"region", "y"}, {"k", "v"}}, "[profile a]\r\nregion = y\r\nk = v\r\n"},
		{"crlf new section", "[default]\r\nregion = x\r\n", "b", []KeyValue{{"k", "v"}}, "[default]\r\nregion = x\r\n\r\n[profile b]\r\nk = v\r\n"},
		{"no final newline kept (append)", "[profile a]\nregion = x", "a", []KeyValue{{"k", "v"}}, "[profile a]\nregion = x\nk = v"},
		{"no final newline kept (new section)", "[default]\nregion = x", "b", []KeyValue{{"k", "v"}}, "[default]\nregion = x\n\n[profile b]\nk = v"},
		{"no final newline kept (update)", "[profile a]\nregion = x", "a", []KeyValue{{"region", "y"}}, "[profile a]\nregion = y"},
		{"final lone CR kept", "[default]\nregion = x\r", "b", []KeyValue{{"k", "v"}}, "[default]\nregion = x\r\n\n[profile b]\nk = v"},
		{"sub-properties replaced", "[profile a]\ns3 =\n  max_concurrent_requests = 10\n\n  addressing_style = path\nregion = x\n", "a",
			[]KeyValue{{"s3", "off"}}, "[profile a]\ns3 = off\n\nregion = x\n"},
		{"continuation removed, comment between kept", "[profile a]\nk = 1\n# c\n  2\nz = 3\n", "a", []KeyValue{{"k", "9"}}, "[profile a]\nk = 9\n# c\nz = 3\n"},
		{"append after continuation of last key", "[profile a]\nk = 1\n  2\n\n[profile b]\n", "a", []KeyValue{{"n", "v"}}, "[profile a]\nk = 1\n  2\nn = v\n\n[profile b]\n"},
		{"append after updated key whose continuation is removed", "[profile a]\nk = 1\n  2", "a", []KeyValue{{"k", "x"}, {"n", "v"}}, "[profile a]\nk = x\nn = v"},
		{"last occurrence updated, new keys in last section", "[profile a]\nk = 1\nj = 1\n[profile b]\nk = b\n[profile a]\nk = 2\n", "a",
			[]KeyValue{{"k", "3"}, {"j", "4"}, {"n", "5"}}, "[profile a]\nk = 1\nj = 4\n[profile b]\nk = b\n[profile a]\nk = 3\nn = 5\n"},
		{"[profile default] wins over [default]", "[default]\nregion = a\n[profile default]\nregion = b\n", "default",
			[]KeyValue{{"region", "c"}}, "[default]\nregion = a\n[profile default]\nregion = c\n"},
		{"[default] edited", "# x\n[default]\nregion = a\n", "default", []KeyValue{{"region", "c"}}, "# x\n[default]\nregion = c\n"},
		{"spaced header matches", "[  profile   a  ]\nk = 1\n", "a", []KeyValue{{"k", "2"}}, "[  profile   a  ]\nk = 2\n"},
		{"credentials-style [a] is not profile a", "[a]\nk = 1\n", "a", []KeyValue{{"k", "2"}}, "[a]\nk = 1\n\n[profile a]\nk = 2\n"},
		{"empty old value", "[profile a]\nk =\nj = 1\n", "a", []KeyValue{{"k", "v"}}, "[profile a]\nk = v\nj = 1\n"},
		{"empty old value compact", "[profile a]\nk=\n", "a", []KeyValue{{"k", "v"}}, "[profile a]\nk=v\n"},
		{"empty old value before comment", "[profile a]\nk =   # c\n", "a", []KeyValue{{"k", "v"}}, "[profile a]\nk = v # c\n"},
		{"set to empty", "[profile a]\nk = old # c\n", "a", []KeyValue{{"k", ""}}, "[profile a]\nk =  # c\n"},
		{"new empty value", "[profile a]\n", "a", []KeyValue{{"k", ""}}, "[profile a]\nk =\n"},
		{"adjacent hash is part of the value", "[profile a]\n", "a", []KeyValue{{"mfa_process", "pass otp aws#main"}}, "[profile a]\nmfa_process = pass otp aws#main\n"},
		{"duplicate keys: last wins", "[profile a]\n", "a", []KeyValue{{"k", "1"}, {"K", "2"}}, "[profile a]\nk = 2\n"},
		{"other profiles and comments untouched", "; top\n[profile b] ; b\nk = 1 # c\n\n[profile a]\nregion = x\n\n; tail\n", "a",
			[]KeyValue{{"region", "y"}, {"k", "v"}}, "; top\n[profile b] ; b\nk = 1 # c\n\n[profile a]\nregion = y\nk = v\n\n; tail\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := SetProfile([]byte(tc.in), tc.profile, tc.kv)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.out {
				t.Fatalf("got\n%q\nwant\n%q", out, tc.out)
			}
		})
	}
}

func TestSetProfileRefusals(t *testing.T) {
	tests := []struct {
		name, in, profile string
		kv                []KeyValue
		msg               string
	}{
		{"bracket in name", "", "a]b", nil, "invalid profile name"},
		{"newline in name", "", "a\nb", nil, "invalid profile name"},
		{"space in name", "", "a b", nil, "invalid profile name"},
		{"empty name", "", "", nil, "invalid profile name"},
		{"comment sign in name", "", "a#b", nil, "invalid profile name"},
		{"bad key", "", "a", []KeyValue{{"in valid", "x"}}, "invalid key"},
		{"newline in value", "", "a", []KeyValue{{"k", "x\ny"}}, "line break"},
		{"CR in value", "", "a", []KeyValue{{"k", "x\ry"}}, "line break"},
		{"leading blank", "", "a", []KeyValue{{"k", " x"}}, "begins or ends"},
		{"comment in value", "", "a", []KeyValue{{"k", "x # y"}}, "comment"},
		{"value starting with comment sign", "", "a", []KeyValue{{"k", ";x"}}, "comment"},
		{"file does not parse", "k = v\n", "a", []KeyValue{{"k", "v"}}, "does not parse"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SetProfile([]byte(tc.in), tc.profile, tc.kv)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want %q", err, tc.msg)
			}
		})
	}
}

func TestDeleteKeys(t *testing.T) {
	tests := []struct {
		name, in, profile string
		keys              []string
		out               string
	}{
		{"every occurrence with continuations", "[profile a]\nk = 1\n  2\nj = 1\n[profile b]\nk = b\n[profile a]\nK = 3\n", "a", []string{"k"},
			"[profile a]\nj = 1\n[profile b]\nk = b\n[profile a]\n"},
		{"missing key: unchanged", "[profile a]\nj = 1\n", "a", []string{"k"}, "[profile a]\nj = 1\n"},
		{"missing profile: unchanged", "[profile a]\nk = 1", "b", []string{"k"}, "[profile a]\nk = 1"},
		{"no final newline kept", "[profile a]\nj = 1\nk = 1", "a", []string{"k"}, "[profile a]\nj = 1"},
		{"crlf", "[profile a]\r\nk = 1\r\nj = 2\r\n", "a", []string{"k"}, "[profile a]\r\nj = 2\r\n"},
		{"last line after blank lines, no final newline", "[profile b];c\r\n; other\r\n\r\nk = v  ", "b", []string{"k"}, "[profile b];c\r\n; other"},
		{"comments stay", "[profile a]\n# about k\nk = 1 # c\n\n[profile b]\n", "a", []string{"k"}, "[profile a]\n# about k\n\n[profile b]\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := DeleteKeys([]byte(tc.in), tc.profile, tc.keys)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.out {
				t.Fatalf("got\n%q\nwant\n%q", out, tc.out)
			}
		})
	}
	if _, err := DeleteKeys([]byte("x"), "a", []string{"k"}); err == nil {
		t.Fatal("unparseable file edited")
	}
	// The credentials file names profiles without "profile ".
	creds := "# keys\n[bob]\naws_access_key_id = AKIA1\naws_secret_access_key = s1 ; old\nregion = x\n\n[profile bob]\naws_access_key_id = AKIA2\n[alice]\naws_access_key_id = AKIA3\n"
	out, err := DeleteKeysIn(CredentialsFile, []byte(creds), "bob", []string{"aws_access_key_id", "aws_secret_access_key", "aws_session_token"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "# keys\n[bob]\nregion = x\n\n[profile bob]\naws_access_key_id = AKIA2\n[alice]\naws_access_key_id = AKIA3\n"; string(out) != want {
		t.Errorf("credentials file:\n%q\nwant\n%q", out, want)
	}
	if _, err := DeleteKeys(nil, "a]", []string{"k"}); err == nil {
		t.Fatal("bad name accepted")
	}
}

// --- property test over random config files ---

// genConfig writes a random, valid config file: sections with the tricky
// constructs of the format (duplicate and shadowed sections, invalid names,
// inline comments, continuations, sub-properties, CRLF, no final newline).
func genConfig(r *rand.Rand) string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	eol := func() string {
		if r.IntN(6) == 0 {
			return "\r\n"
		}
		return "\n"
	}
	crlfFile := r.IntN(3) == 0
	var b strings.Builder
	nl := func() {
		if crlfFile {
			b.WriteString("\r\n")
		} else {
			b.WriteString(eol())
		}
	}
	filler := func() {
		for n := r.IntN(3); n > 0; n-- {
			b.WriteString(pick("", "# comment", "; other", "#", "   ", "\t", "# [profile a]"))
			nl()
		}
	}
	filler()
	for n := r.IntN(6); n > 0; n-- {
		b.WriteString(pick("[default]", "[profile default]", "[profile a]", "[profile b]", "[  profile   a ]", "[profile\ta]",
			"[profile x.y]", "[profile bad name]", "[stray]", "[sso-session s]", "[services svc]", "[Profile a]", "[profile a] # c", "[profile b];c"))
		nl()
		for m := r.IntN(5); m > 0; m-- {
			filler()
			key := pick("region", "Region", "output", "role_arn", "mfa_serial", "s3", "x-y", "in valid", "k")
			sep := pick(" = ", "=", "\t=  ", " =")
			if r.IntN(4) == 0 {
				// sub-properties
				b.WriteString(key + strings.TrimRight(sep, " \t"))
				nl()
				for s := 1 + r.IntN(2); s > 0; s-- {
					if r.IntN(3) == 0 {
						filler()
					}
					b.WriteString(pick("  ", "\t", "    ") + pick("endpoint_url = http://127.0.0.1:1", "max = 10", "a=b # c"))
					nl()
				}
				continue
			}
			val := pick("us-east-1", "v#1", "v;2", "arn:aws:iam::123456789012:mfa/a", "x y", "val")
			b.WriteString(key + sep + val + pick("", "", " # c", " ;c", "  "))
			nl()
			for c := r.IntN(2); c > 0 && r.IntN(3) == 0; c-- {
				if r.IntN(3) == 0 {
					filler()
				}
				b.WriteString(pick("  ", "\t") + pick("-cont", "more # not a comment"))
				nl()
			}
		}
		filler()
	}
	s := b.String()
	if r.IntN(4) == 0 {
		s = strings.TrimRight(s, "\r\n")
	}
	return s
}

type model struct {
	Profiles, SSO map[string]map[string]string
	Services      map[string]map[string]map[string]string
}

func modelOf(t testing.TB, data string) model {
	t.Helper()
	c, err := Parse(File{Kind: ConfigFile, Data: []byte(data)})
	if err != nil {
		t.Fatalf("parse %q: %v", data, err)
	}
	m := model{Profiles: sectionsOf(c.profiles), SSO: sectionsOf(c.ssoSessions), Services: map[string]map[string]map[string]string{}}
	for name, svc := range c.services {
		m.Services[name] = map[string]map[string]string{}
		for s, kv := range svc {
			m.Services[name][s] = map[string]string{}
			for k, p := range kv {
				m.Services[name][s][k] = p.Value
			}
		}
	}
	return m
}

// outsideSegments returns the bytes of data outside the sections that make
// up profile name, as the list of gaps between those sections.
func outsideSegments(t testing.TB, data, name string) []string {
	t.Helper()
	pf, err := parseProfileText("", data)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var out []string
	pos := 0
	for _, s := range pf.profileSections(ConfigFile, name) {
		start := pf.lines[s.header].start
		end := len(data)
		if s.end < len(pf.lines) {
			end = pf.lines[s.end].start
		}
		out = append(out, data[pos:start])
		pos = end
	}
	return append(out, data[pos:])
}

// checkEditPreserves checks the contract of SetProfile/DeleteKeys: the
// result parses; every other profile, sso-session and services section is
// unchanged; the bytes outside the profile's sections are identical (or,
// for a new section, the old text is a prefix of the new one).
func checkEditPreserves(t testing.TB, in, out, name string, apply func(map[string]string)) {
	t.Helper()
	before, after := modelOf(t, in), modelOf(t, out)
	wantProfile := map[string]string{}
	for k, v := range before.Profiles[name] {
		wantProfile[k] = v
	}
	apply(wantProfile)
	if !reflect.DeepEqual(after.Profiles[name], wantProfile) {
		t.Fatalf("profile %q after edit = %q, want %q\nin:  %q\nout: %q", name, after.Profiles[name], wantProfile, in, out)
	}
	delete(before.Profiles, name)
	delete(after.Profiles, name)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("other sections changed\nin:  %q\nout: %q", in, out)
	}
	if in != "" && endsWithNewline(in) != endsWithNewline(out) {
		t.Fatalf("final newline added or removed\nin:  %q\nout: %q", in, out)
	}
	segIn := outsideSegments(t, in, name)
	segOut := outsideSegments(t, out, name)
	if len(segIn) == 1 && len(segOut) == 2 {
		// The profile was created: the input must be a prefix of the
		// output and the output's tail empty.
		if !strings.HasPrefix(out, in) || segOut[1] != "" {
			t.Fatalf("new section: input is not kept as a prefix\nin:  %q\nout: %q", in, out)
		}
		return
	}
	if !reflect.DeepEqual(segIn, segOut) {
		t.Fatalf("bytes outside profile %q changed\nin:  %q\nout: %q\nsegments in:  %q\nsegments out: %q", name, in, out, segIn, segOut)
	}
}

var propertyRuns = 3000

func TestSetProfileProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	names := []string{"default", "a", "b", "x.y", "new", "s"}
	keys := []string{"region", "output", "mfa_serial", "s3", "k", "new_key", "x-y", "role_arn"}
	values := []string{"us-east-1", "", "v#1", "arn:aws:iam::123456789012:mfa/alice", "ykman oath accounts code -s aws", "a=b"}
	created, updated := 0, 0
	for i := 0; i < propertyRuns; i++ {
		in := genConfig(r)
		name := names[r.IntN(len(names))]
		existing := modelOf(t, in).Profiles
		if len(existing) > 0 && r.IntN(2) == 0 {
			// Favour profiles and keys that exist, the last ones most.
			pn := sortedKeys(existing)
			name = pn[len(pn)-1-r.IntN(min(2, len(pn)))]
		}
		keyPool := keys
		if ek := sortedKeys(existing[name]); len(ek) > 0 && r.IntN(2) == 0 {
			keyPool = ek
		}
		var kv []KeyValue
		for n := r.IntN(4); n > 0; n-- {
			kv = append(kv, KeyValue{keyPool[r.IntN(len(keyPool))], values[r.IntN(len(values))]})
		}
		out, err := SetProfile([]byte(in), name, kv)
		if err != nil {
			t.Fatalf("case %d: %v\nin: %q", i, err, in)
		}
		if _, ok := modelOf(t, in).Profiles[name]; ok {
			updated++
		} else {
			created++
		}
		checkEditPreserves(t, in, string(out), name, func(p map[string]string) {
			for _, e := range kv {
				p[strings.ToLower(e.Key)] = e.Value
			}
		})
		// Idempotent: setting the same values again changes nothing.
		again, err := SetProfile(out, name, kv)
		if err != nil || string(again) != string(out) {
			t.Fatalf("case %d: second SetProfile changed the file\n%q\n%q (%v)", i, out, again, err)
		}
		// DeleteKeys on the result.
		del := []string{keyPool[r.IntN(len(keyPool))], keys[r.IntN(len(keys))]}
		out2, err := DeleteKeys(out, name, del)
		if err != nil {
			t.Fatalf("case %d: delete: %v", i, err)
		}
		checkEditPreserves(t, string(out), string(out2), name, func(p map[string]string) {
			for _, k := range del {
				delete(p, k)
			}
		})
	}
	if created < 300 || updated < 300 {
		t.Fatalf("generator does not exercise both paths: %d created, %d updated", created, updated)
	}
	t.Logf("%d random files: %d profiles created, %d updated", propertyRuns, created, updated)
}

// The property check itself must catch damage outside the section.
func TestCheckEditPreservesDetectsDamage(t *testing.T) {
	in := "# c\n[profile a]\nk = 1\n[profile b]\nk = 2\n"
	for _, bad := range []string{
		"# C\n[profile a]\nk = 3\n[profile b]\nk = 2\n",      // comment outside changed
		"# c\n[profile a]\nk = 3\n[profile b]\nk = 2\n\n",    // trailing byte added
		"# c\n[profile a]\nk = 3\n[profile b]\nk = 2\r\n",    // line ending changed
		"# c\n[profile a]\nk = 3\n[profile  b]\nk = 2\n",     // other header respaced
		"# c\n[profile a]\nk = 3\n[profile b]\nk = 2\nj=1\n", // other profile changed
	} {
		ft := &fakeT{}
		func() {
			defer func() { recover() }()
			checkEditPreserves(ft, in, bad, "a", func(p map[string]string) { p["k"] = "3" })
		}()
		if !ft.failed {
			t.Errorf("damage not detected: %q", bad)
		}
	}
}

type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = true
	panic(fmt.Sprintf(format, args...))
}
