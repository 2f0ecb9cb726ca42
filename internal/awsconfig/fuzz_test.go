package awsconfig

import (
	"reflect"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// formatConfig writes c back as one config file. ok is false when some
// value cannot be written so that it parses back identically (a line
// ending in CR, a services sub-property that is not "key = value").
func formatConfig(c *Config) (string, bool) {
	var b strings.Builder
	writeSection := func(header string, s *Section) bool {
		b.WriteString(header + "\n")
		for _, k := range s.Keys() {
			v := s.Value(k)
			segs := strings.Split(v, "\n")
			line := propertyLine(k, segs[0])
			if pk, pv, msg := parsePropertyLine(line); msg != "" || pk != k || pv != segs[0] || strings.HasSuffix(line, "\r") {
				return false
			}
			b.WriteString(line + "\n")
			for _, seg := range segs[1:] {
				if seg == "" || trimWS(seg) != seg || strings.HasSuffix(seg, "\r") {
					return false
				}
				b.WriteString("  " + seg + "\n")
			}
		}
		return true
	}
	for _, name := range c.ProfileNames() {
		header := "[profile " + name + "]"
		if name == defaultProfile {
			header = "[default]"
		}
		if !writeSection(header, c.profiles[name]) {
			return "", false
		}
	}
	for _, name := range c.SSOSessionNames() {
		if !writeSection("[sso-session "+name+"]", c.ssoSessions[name]) {
			return "", false
		}
	}
	for _, name := range c.ServicesNames() {
		b.WriteString("[services " + name + "]\n")
		svcs := c.services[name]
		for _, svc := range sortedKeys(svcs) {
			b.WriteString(svc + " =\n")
			keys := sortedKeys(svcs[svc])
			sort.Strings(keys)
			for _, k := range keys {
				line := k + " = " + svcs[svc][k].Value
				pk, pv, msg := parsePropertyLine(line)
				sp := subProperties("\n" + line)
				if msg != "" || pk != k || pv != svcs[svc][k].Value || len(sp) != 1 || sp[0].key != k || sp[0].value != pv ||
					strings.HasSuffix(line, "\r") {
					return "", false
				}
				b.WriteString("  " + line + "\n")
			}
		}
	}
	return b.String(), true
}

func FuzzParse(f *testing.F) {
	seeds := [][2]string{
		{"[profile foo]\nname = value", ""},
		{"[default]\nregion = us-east-1 # c\ns3 =\n  max = 10\n", "[default]\naws_access_key_id = A\n"},
		{"[profile a]\r\nk = v\r\n  cont ; x\r\n[sso-session s]\nsso_region = r\n", ""},
		{"[services lab]\nsts =\n  endpoint_url = http://127.0.0.1:1/?a=b\n", ""},
		{"[profile default]\na=1\n[default]\nb=2", "[in valid]\n[ok]\nx = y"},
		{"k = v", ""},
		{"[profile a", ""},
		{"[profile a]\n -c", ""},
		{"[profile a]\ns3 =\n bad", ""},
		{"[profile a]\nk = a\r # c\n", ""},
		{"\xff", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, config, credentials string) {
		c, err := Parse(File{Kind: ConfigFile, Path: "config", Data: []byte(config)},
			File{Kind: CredentialsFile, Path: "credentials", Data: []byte(credentials)})
		if err != nil {
			var e *Error
			if !asError(err, &e) || e.Code != CodeParse || e.File == "" {
				t.Fatalf("error %v is not a located parse error", err)
			}
			if utf8.ValidString(config) && utf8.ValidString(credentials) && e.Line < 1 {
				t.Fatalf("syntax error without a line: %v", err)
			}
			return
		}
		// Resolving any profile never panics.
		for _, name := range append(c.ProfileNames(), "missing") {
			c.Resolve(name)
			c.ResolveChain(name)
		}
		text, ok := formatConfig(c)
		if !ok {
			return
		}
		c2, err := Parse(File{Kind: ConfigFile, Data: []byte(text)})
		if err != nil {
			t.Fatalf("formatted config does not parse: %v\n%q", err, text)
		}
		if a, b := sectionsOf(c.profiles), sectionsOf(c2.profiles); !reflect.DeepEqual(a, b) {
			t.Fatalf("profiles changed by format/parse\n%q\n%q\n%q", text, a, b)
		}
		if a, b := sectionsOf(c.ssoSessions), sectionsOf(c2.ssoSessions); !reflect.DeepEqual(a, b) {
			t.Fatalf("sso sessions changed by format/parse\n%q\n%q\n%q", text, a, b)
		}
		for _, name := range c.ServicesNames() {
			for svc := range c.services[name] {
				a, b := c.Service(name, svc), c2.Service(name, svc)
				if len(a) != len(b) {
					t.Fatalf("services changed by format/parse\n%q", text)
				}
				for k := range a {
					if a[k].Value != b[k].Value {
						t.Fatalf("services changed by format/parse\n%q", text)
					}
				}
			}
		}
	})
}

func FuzzSetProfile(f *testing.F) {
	f.Add("[profile a]\nregion = x # c\n\n# b\n[profile b]\n", "a", "region", "y")
	f.Add("[default]\r\nregion = x", "default", "k", "v")
	f.Add("[profile a]\ns3 =\n  max = 1\n[profile a]\ns3 = z\n", "a", "s3", "")
	f.Add("", "new", "k", "v#x")
	f.Add("[default]\na=1\n[profile default]\n", "default", "a", "2")
	f.Add("[profile a]\nk = 1\n  2", "a", "K", "3")
	f.Fuzz(func(t *testing.T, data, name, key, value string) {
		out, err := SetProfile([]byte(data), name, []KeyValue{{key, value}})
		if err != nil {
			return
		}
		checkEditPreserves(t, data, string(out), name, func(p map[string]string) { p[strings.ToLower(key)] = value })
		del, err := DeleteKeys(out, name, []string{key})
		if err != nil {
			t.Fatalf("DeleteKeys on SetProfile's output: %v", err)
		}
		checkEditPreserves(t, string(out), string(del), name, func(p map[string]string) { delete(p, strings.ToLower(key)) })
	})
}
