package clear

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil/cmdtest"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/lab"
)

func entries(t *testing.T, e *cmdtest.Env) int {
	t.Helper()
	l, err := e.Cache.List()
	if err != nil {
		t.Fatal(err)
	}
	return len(l)
}

func TestClearProfile(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	e.Fill(t, "role-with-mfa", "second-role", "plain-role")
	if n := entries(t, e); n != 4 {
		t.Fatalf("%d entries", n)
	}
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Profiles: []string{"role-with-mfa"}, Output: cmdutil.OutputText}); err != nil {
		t.Fatal(err)
	}
	out := e.Out.String()
	for _, want := range []string{"removed role arn:aws:iam::123456789012:role/cli-role of profile \"role-with-mfa\"", "removed MFA session of " + e.Lab.Anika.MFASerial, "obtained from it"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// plain-role (no MFA session) stays.
	if n := entries(t, e); n != 1 {
		t.Fatalf("%d entries left, want plain-role's", n)
	}
	// The next request needs a new code.
	e.Lab.Clock.Advance(31 * time.Second)
	e.Fill(t, "second-role")
	if e.MFA.Calls() != 2 {
		t.Fatalf("prompts %d", e.MFA.Calls())
	}
	e.Out.Reset()
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Profiles: []string{"per-role"}, Output: cmdutil.OutputText}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Out.String(), `nothing is cached for "per-role"`) {
		t.Fatalf("%s", e.Out.String())
	}
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Profiles: []string{"nosuch"}, Output: cmdutil.OutputText}); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("%v", err)
	}
}

func TestClearAllJSON(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	e.Fill(t, "role-with-mfa", "plain-role")
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Output: cmdutil.OutputJSON}); err != nil {
		t.Fatal(err)
	}
	var r struct{ Removed []Removed }
	if err := json.Unmarshal([]byte(e.Out.String()), &r); err != nil || len(r.Removed) != 3 {
		t.Fatalf("%s %v", e.Out.String(), err)
	}
	if n := entries(t, e); n != 0 {
		t.Fatalf("%d left", n)
	}
	e.Out.Reset()
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Output: cmdutil.OutputText}); err != nil || !strings.Contains(e.Out.String(), "cache is empty") {
		t.Fatalf("%v %s", err, e.Out.String())
	}
}
