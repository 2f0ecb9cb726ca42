package credctx

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestTableInvariants(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range All() {
		if r.Name == "" || r.Name != strings.ToLower(r.Name) || strings.ContainsAny(r.Name, " _") {
			t.Errorf("bad row name %q", r.Name)
		}
		if seen[r.Name] {
			t.Errorf("duplicate row %q", r.Name)
		}
		seen[r.Name] = true
		if r.Description == "" || len(r.Sources) == 0 {
			t.Errorf("%s: description and sources are required", r.Name)
		}
		for _, s := range r.Sources {
			if !strings.HasPrefix(s.URL, "https://") || s.Quote == "" {
				t.Errorf("%s: bad source %+v", r.Name, s)
			}
		}
		// Every row states all four keys.
		for _, k := range []string{KeyMFAPresent, KeyMFAAge, KeyTokenIssueTime, KeyPrincipalType} {
			if _, ok := r.Key(k); !ok {
				t.Errorf("%s: no entry for %s", r.Name, k)
			}
		}
		p, _ := r.Key(KeyMFAPresent)
		age, _ := r.Key(KeyMFAAge)
		// MFA age is present exactly when MFA was used.
		if age.Present != (p.Present && p.Value == "true") {
			t.Errorf("%s: MultiFactorAuthAge present=%v but MultiFactorAuthPresent=%+v", r.Name, age.Present, p)
		}
		// Temporary credentials carry TokenIssueTime; long-term keys none.
		tit, _ := r.Key(KeyTokenIssueTime)
		if tit.Present == (r.Name == "long-term-keys") {
			t.Errorf("%s: TokenIssueTime present=%v", r.Name, tit.Present)
		}
		if p.Present && p.Value != "true" && p.Value != "false" {
			t.Errorf("%s: MultiFactorAuthPresent value %q", r.Name, p.Value)
		}
	}
	for _, name := range []string{"long-term-keys", "session-token", "session-token-mfa", "assume-role", "assume-role-mfa", "role-from-mfa-session", "console", "console-mfa", "federated"} {
		if !seen[name] {
			t.Errorf("row %q missing", name)
		}
	}
}

func TestKeyFacts(t *testing.T) {
	// The facts the rows rest on, spelled out.
	cases := []struct {
		row     string
		present bool
		value   string
	}{
		{"long-term-keys", false, ""},
		{"session-token", true, "false"},
		{"session-token-mfa", true, "true"},
		{"assume-role", true, "false"},
		{"assume-role-mfa", true, "false"},
		{"role-from-mfa-session", true, "true"},
		{"console", true, "false"},
		{"console-mfa", true, "true"},
		{"federated", false, ""},
		{"saml", false, ""},
		{"web-identity", false, ""},
	}
	for _, c := range cases {
		r, ok := Lookup(c.row)
		if !ok {
			t.Fatalf("no row %s", c.row)
		}
		k, _ := r.Key(KeyMFAPresent)
		if k.Present != c.present || k.Value != c.value {
			t.Errorf("%s: aws:MultiFactorAuthPresent %+v, want present=%v value=%q", c.row, k, c.present, c.value)
		}
	}
	r, _ := Lookup("ASSUME-ROLE-MFA")
	k := r.KeysFor("sts:assumerole")
	for _, key := range k {
		if key.Name == KeyMFAPresent && key.Value != "true" {
			t.Errorf("the AssumeRole call with MFA is evaluated with MFA present: %+v", key)
		}
	}
	if len(r.KeysFor("s3:GetObject")) != len(r.Keys) || r.KeysFor("s3:GetObject")[0] != r.Keys[0] {
		t.Error("KeysFor another action must be Keys")
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup of an unknown name")
	}
}

func TestApply(t *testing.T) {
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	ctx := map[string]json.RawMessage{
		"AWS:MULTIFACTORAUTHPRESENT": json.RawMessage(`"true"`),
		"aws:multifactorauthage":     json.RawMessage(`5`),
		"aws:SourceIp":               json.RawMessage(`"1.2.3.4"`),
	}
	r, _ := Lookup("long-term-keys")
	r.ApplyAt(ctx, now)
	if len(ctx) != 2 || string(ctx[KeyPrincipalType]) != `"User"` || string(ctx["aws:SourceIp"]) != `"1.2.3.4"` {
		t.Fatalf("long-term keys: %v", ctx)
	}
	r, _ = Lookup("session-token-mfa")
	r.ApplyAt(ctx, now)
	if string(ctx[KeyMFAPresent]) != `"true"` || string(ctx[KeyMFAAge]) != `"60"` || string(ctx[KeyTokenIssueTime]) != `"2024-05-01T10:00:00Z"` {
		t.Fatalf("session-token-mfa: %v", ctx)
	}
	// Request-dependent values the caller gave are kept.
	ctx[KeyMFAAge] = json.RawMessage(`7200`)
	r.ApplyAt(ctx, now)
	if string(ctx[KeyMFAAge]) != `7200` {
		t.Fatalf("caller's age replaced: %v", ctx)
	}
	r, _ = Lookup("assume-role-mfa")
	r.ApplyFor(ctx, "sts:AssumeRole", now)
	if string(ctx[KeyMFAPresent]) != `"true"` {
		t.Fatalf("AssumeRole call: %v", ctx)
	}
	r.ApplyFor(ctx, "s3:GetObject", now)
	if string(ctx[KeyMFAPresent]) != `"false"` || ctx[KeyMFAAge] != nil || string(ctx[KeyPrincipalType]) != `"AssumedRole"` {
		t.Fatalf("role session: %v", ctx)
	}
}
