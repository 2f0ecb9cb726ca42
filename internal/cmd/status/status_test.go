package status

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil/cmdtest"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/lab"
)

func TestStatusText(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	e.Lab.WriteConfig("\n[profile broken]\nrole_arn = arn:aws:iam::123456789012:role/x\n")
	e.Fill(t, "role-with-mfa", "plain-role")
	e.Lab.Clock.Advance(10 * time.Minute)
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Output: cmdutil.OutputText}); err != nil {
		t.Fatal(err)
	}
	out := e.Out.String()
	serial := e.Lab.Anika.MFASerial
	for _, want := range []string{
		"PROFILE", "role-with-mfa", "role via MFA session", "50m left", serial,
		"per-role", "role with MFA per role", serial + " (per role)",
		"plain-role", "anika-plain", "access keys",
		"default", "no credentials",
		"MFA SESSION (DEVICE)", "11h50m left", "anika, chained, open-mfa, role-with-mfa, second-role",
		"Profiles that do not resolve:", "broken:", "source_profile",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if e.Lab.Stat("requests") != 3 {
		t.Errorf("status called AWS: %d requests", e.Lab.Stat("requests"))
	}
}

func TestStatusJSON(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	e.Fill(t, "role-with-mfa")
	e.Lab.Clock.Advance(2 * time.Hour)
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Output: cmdutil.OutputJSON, Profile: "role-with-mfa"}); err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal([]byte(e.Out.String()), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Profiles) != 1 || r.Profiles[0].Name != "role-with-mfa" || r.Profiles[0].Mode != "session" || r.Profiles[0].Cached == nil || !r.Profiles[0].Cached.Expired {
		t.Fatalf("%+v", r.Profiles)
	}
	if len(r.MFASessions) != 1 || r.MFASessions[0].Cached == nil || r.MFASessions[0].Cached.Seconds != 10*3600 || r.MFASessions[0].Cached.Remaining != "10h" {
		t.Fatalf("%+v", r.MFASessions)
	}
	if strings.Contains(e.Out.String(), "SecretAccessKey") || strings.Contains(e.Out.String(), "SessionToken") {
		t.Error("secrets in the report")
	}
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Output: cmdutil.OutputJSON, Profile: "nosuch"}); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("unknown profile: %v", err)
	}
}

func TestStatusOtherEntries(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	e.Fill(t, "plain-role")
	// The profile changes: its old entry belongs to nobody.
	e.Lab.WriteConfig("\n[profile plain-role]\nexternal_id = changed\n")
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Output: cmdutil.OutputText}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Out.String(), "1 cached entries belong to no current profile") {
		t.Fatalf("%s", e.Out.String())
	}
}
