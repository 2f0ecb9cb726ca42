package sarif

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestArtifactURI(t *testing.T) {
	tests := []struct {
		file, cwd, uri, base string
	}{
		{"a.json", "/w", "a.json", "%SRCROOT%"},
		{"./x/../b.yaml", "/w", "b.yaml", "%SRCROOT%"},
		{"/w/sub/c.json", "/w", "sub/c.json", "%SRCROOT%"},
		{"/other/d.json", "/w", "file:///other/d.json", ""},
		{"/w/../w2/d.json", "/w", "file:///w2/d.json", ""},
		{"/x.json", "", "file:///x.json", ""},
		{"e f#.json", "/w", "e%20f%23.json", "%SRCROOT%"},
	}
	for _, tt := range tests {
		uri, base := ArtifactURI(tt.file, tt.cwd)
		if uri != tt.uri || base != tt.base {
			t.Errorf("ArtifactURI(%q) = %q %q, want %q %q", tt.file, uri, base, tt.uri, tt.base)
		}
	}
}

func TestRuleName(t *testing.T) {
	tests := map[string]string{
		"keys-act-without-mfa": "KeysActWithoutMfa",
		"mfa--lockout-":        "MfaLockout",
		"x":                    "X",
		"":                     "",
	}
	for id, want := range tests {
		if got := RuleName(id); got != want {
			t.Errorf("RuleName(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	a := Fingerprint("rule", "file", "msg")
	if len(a) != 32 {
		t.Fatalf("fingerprint %q: want 32 hex digits", a)
	}
	if a != Fingerprint("rule", "file", "msg") {
		t.Error("fingerprint not stable")
	}
	// Parts are separated: moving a boundary changes the fingerprint.
	if a == Fingerprint("rulef", "ile", "msg") {
		t.Error("fingerprint ignores part boundaries")
	}
}

func TestLogWrite(t *testing.T) {
	l := NewLog("1.2.3", []Rule{{ID: "r-one", Name: RuleName("r-one"), DefaultConfiguration: RuleConfig{Level: LevelWarning, Enabled: true}}}, 2)
	l.Add(Result{RuleID: "r-one", Level: LevelWarning, Message: Text{"a <b> & c"},
		Locations: []Location{{LogicalLocations: []LogicalLocation{{FullyQualifiedName: "arn:aws:iam::1:user/a", Kind: "resource"}}}}})
	var b bytes.Buffer
	if err := l.Write(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"a <b> & c"`) {
		t.Errorf("HTML characters escaped:\n%s", b.String())
	}
	var got struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name, Version string
				} `json:"driver"`
			} `json:"tool"`
			Results []map[string]any `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Schema != Schema || got.Version != "2.1.0" || len(got.Runs) != 1 || got.Runs[0].Tool.Driver.Name != "awsmfa" || got.Runs[0].Tool.Driver.Version != "1.2.3" {
		t.Fatalf("log header: %+v", got)
	}
	res := got.Runs[0].Results
	if len(res) != 1 {
		t.Fatalf("results: %v", res)
	}
	loc := res[0]["locations"].([]any)[0].(map[string]any)
	if _, ok := loc["physicalLocation"]; ok {
		t.Error("a logical-only location has a physicalLocation")
	}
	if _, ok := res[0]["properties"]; ok {
		t.Error("empty properties written")
	}
}
