package lint

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var sampleFindings = []Finding{
	{Rule: RuleDenyMissesKeys, Severity: SeverityError, Message: "m1", Fix: "f1", File: "policies/mfa.json", Line: 24, Column: 9, Statement: "BlockMost"},
	{Rule: RuleVersionMissing, Severity: SeverityInfo, Message: "m2", Fix: "f2", File: "tpl.yaml", Line: 3, Column: 1, Path: "Resources.X.Properties.PolicyDocument"},
	{Rule: RuleInvalidPolicy, Severity: SeverityError, Message: "m3", File: "bad.json"},
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, sampleFindings); err != nil {
		t.Fatal(err)
	}
	want := `policies/mfa.json:24:9: error mfa-deny-misses-long-term-keys: m1
    in: statement BlockMost
    fix: f1
tpl.yaml:3:1: info version-missing: m2
    in: Resources.X.Properties.PolicyDocument
    fix: f2
bad.json: error invalid-policy: m3
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, nil); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(strings.Fields(b.String()), ""); got != `{"findings":[]}` {
		t.Errorf("empty: %s", b.String())
	}
	b.Reset()
	if err := WriteJSON(&b, sampleFindings[:1]); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal(b.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.Findings) != 1 {
		t.Fatalf("%s", b.String())
	}
	for _, k := range []string{"rule", "severity", "message", "fix", "file", "line", "column", "path", "statement"} {
		if _, ok := raw.Findings[0][k]; !ok {
			t.Errorf("missing key %q in %s", k, b.String())
		}
	}
	if raw.Findings[0]["severity"] != "error" || raw.Findings[0]["line"] != float64(24) {
		t.Errorf("values: %v", raw.Findings[0])
	}
	// Round trip.
	var back struct{ Findings []Finding }
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.Findings[0] != sampleFindings[0] {
		t.Errorf("round trip: %+v %v", back, err)
	}
}

func TestSeverity(t *testing.T) {
	if !(SeverityError > SeverityWarning && SeverityWarning > SeverityInfo) {
		t.Error("severities are not ordered")
	}
	for _, s := range []Severity{SeverityInfo, SeverityWarning, SeverityError} {
		p, err := ParseSeverity(s.String())
		if err != nil || p != s {
			t.Errorf("%v: %v %v", s, p, err)
		}
	}
	if _, err := ParseSeverity("fatal"); err == nil {
		t.Error("fatal accepted")
	}
	if Count(sampleFindings, SeverityWarning) != 2 || Count(sampleFindings, SeverityInfo) != 3 {
		t.Error("Count")
	}
}

// TestWriteSARIF checks the structure code-scanning services require.
func TestWriteSARIF(t *testing.T) {
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	fs := append([]Finding{}, sampleFindings...)
	fs = append(fs, Finding{Rule: RuleSCPUnscoped, Severity: SeverityWarning, Message: "m4", Fix: "f4", File: filepath.Join(cwd, "sub dir", "scp.json"), Line: 2, Column: 3})
	var b bytes.Buffer
	if err := WriteSARIF(&b, fs, "1.2.3"); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name           string `json:"name"`
					Version        string `json:"version"`
					InformationURI string `json:"informationUri"`
					Rules          []struct {
						ID               string            `json:"id"`
						ShortDescription map[string]string `json:"shortDescription"`
						FullDescription  map[string]string `json:"fullDescription"`
						Help             map[string]string `json:"help"`
						HelpURI          string            `json:"helpUri"`
						Default          struct {
							Level string `json:"level"`
						} `json:"defaultConfiguration"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string            `json:"ruleId"`
				RuleIndex *int              `json:"ruleIndex"`
				Level     string            `json:"level"`
				Message   map[string]string `json:"message"`
				Locations []struct {
					Physical struct {
						Artifact struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
						Region *struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				Fingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-2.1.0") || len(log.Runs) != 1 {
		t.Fatalf("header: %s %s %d runs", log.Version, log.Schema, len(log.Runs))
	}
	d := log.Runs[0].Tool.Driver
	if d.Name != "awsmfa" || d.Version != "1.2.3" || d.InformationURI == "" || len(d.Rules) != len(Rules()) {
		t.Errorf("driver: %s %s %s %d rules", d.Name, d.Version, d.InformationURI, len(d.Rules))
	}
	levels := map[string]bool{"error": true, "warning": true, "note": true}
	for _, r := range d.Rules {
		if r.ID == "" || r.ShortDescription["text"] == "" || r.FullDescription["text"] == "" || r.Help["text"] == "" || r.HelpURI == "" || !levels[r.Default.Level] {
			t.Errorf("incomplete rule %+v", r)
		}
	}
	res := log.Runs[0].Results
	if len(res) != len(fs) {
		t.Fatalf("%d results", len(res))
	}
	wantURI := []string{"policies/mfa.json", "tpl.yaml", "bad.json", "sub%20dir/scp.json"}
	wantLevel := []string{"error", "note", "error", "warning"}
	for i, r := range res {
		if r.RuleIndex == nil || *r.RuleIndex < 0 || *r.RuleIndex >= len(d.Rules) || d.Rules[*r.RuleIndex].ID != r.RuleID || r.RuleID != fs[i].Rule {
			t.Errorf("result %d: rule %s index %v", i, r.RuleID, r.RuleIndex)
		}
		if r.Level != wantLevel[i] {
			t.Errorf("result %d: level %s, want %s", i, r.Level, wantLevel[i])
		}
		if !strings.Contains(r.Message["text"], fs[i].Message) || (fs[i].Fix != "" && !strings.Contains(r.Message["text"], fs[i].Fix)) {
			t.Errorf("result %d: message %q", i, r.Message["text"])
		}
		if len(r.Locations) != 1 {
			t.Fatalf("result %d: %d locations", i, len(r.Locations))
		}
		loc := r.Locations[0].Physical
		if loc.Artifact.URI != wantURI[i] || loc.Artifact.URIBaseID != "%SRCROOT%" {
			t.Errorf("result %d: uri %q base %q", i, loc.Artifact.URI, loc.Artifact.URIBaseID)
		}
		switch {
		case fs[i].Line == 0 && loc.Region != nil:
			t.Errorf("result %d: region without a line", i)
		case fs[i].Line > 0 && (loc.Region == nil || loc.Region.StartLine != fs[i].Line || loc.Region.StartColumn != fs[i].Column):
			t.Errorf("result %d: region %+v", i, loc.Region)
		}
		if len(r.Fingerprints) == 0 {
			t.Errorf("result %d: no fingerprint", i)
		}
	}
	// An unknown rule is an error, not a broken log.
	if err := WriteSARIF(&bytes.Buffer{}, []Finding{{Rule: "nope"}}, "x"); err == nil {
		t.Error("unknown rule accepted")
	}
}
