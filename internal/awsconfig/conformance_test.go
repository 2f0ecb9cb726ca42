package awsconfig

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/awsmfa/awsmfa/internal/testutil"
)

// conformanceDir is testdata/smithy-rs (see testutil and testdata/README.md).
func conformanceDir(t testing.TB) string {
	t.Helper()
	return testutil.ConformanceDir(t, "smithy-rs")
}

func loadJSON(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(conformanceDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// profile-parser-tests.json: text -> profiles and sso-sessions, or an error.
func TestConformanceParser(t *testing.T) {
	var suite struct {
		Tests []struct {
			Name  string `json:"name"`
			Input struct {
				ConfigFile      *string `json:"configFile"`
				CredentialsFile *string `json:"credentialsFile"`
			} `json:"input"`
			Output struct {
				Config *struct {
					Profiles    map[string]map[string]string `json:"profiles"`
					SSOSessions map[string]map[string]string `json:"sso_sessions"`
				} `json:"config"`
				ErrorContaining *string `json:"errorContaining"`
			} `json:"output"`
		} `json:"tests"`
	}
	loadJSON(t, "profile-parser-tests.json", &suite)
	if len(suite.Tests) != 65 {
		t.Fatalf("expected 65 parser cases, found %d", len(suite.Tests))
	}
	passed := 0
	for i, tc := range suite.Tests {
		var files []File
		if tc.Input.ConfigFile != nil {
			files = append(files, File{Kind: ConfigFile, Path: "~/.aws/config", Data: []byte(*tc.Input.ConfigFile)})
		}
		if tc.Input.CredentialsFile != nil {
			files = append(files, File{Kind: CredentialsFile, Path: "~/.aws/credentials", Data: []byte(*tc.Input.CredentialsFile)})
		}
		cfg, err := Parse(files...)
		ok := t.Run(tc.Name, func(t *testing.T) {
			if tc.Output.ErrorContaining != nil {
				if err == nil {
					t.Fatalf("case %d: want an error (%s), parsed %v", i, *tc.Output.ErrorContaining, sectionsOf(cfg.profiles))
				}
				var e *Error
				if !asError(err, &e) || e.Code != CodeParse || e.Line == 0 || e.File == "" {
					t.Fatalf("case %d: error %v is not a located parse *Error", i, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("case %d: unexpected error %v", i, err)
			}
			want := tc.Output.Config.Profiles
			if want == nil {
				want = map[string]map[string]string{}
			}
			if got := sectionsOf(cfg.profiles); !reflect.DeepEqual(got, want) {
				t.Fatalf("case %d profiles:\n got %q\nwant %q", i, got, want)
			}
			if tc.Output.Config.SSOSessions != nil {
				if got := sectionsOf(cfg.ssoSessions); !reflect.DeepEqual(got, tc.Output.Config.SSOSessions) {
					t.Fatalf("case %d sso sessions:\n got %q\nwant %q", i, got, tc.Output.Config.SSOSessions)
				}
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("profile-parser-tests.json: %d/%d cases pass", passed, len(suite.Tests))
}

func sectionsOf(m map[string]*Section) map[string]map[string]string {
	out := map[string]map[string]string{}
	for name, s := range m {
		out[name] = s.Map()
	}
	return out
}

// file-location-tests.json: environment + platform -> file paths, profile.
func TestConformanceFileLocation(t *testing.T) {
	var suite struct {
		Tests []struct {
			Name                string            `json:"name"`
			Environment         map[string]string `json:"environment"`
			Platform            string            `json:"platform"`
			Profile             *string           `json:"profile"`
			ConfigLocation      string            `json:"configLocation"`
			CredentialsLocation string            `json:"credentialsLocation"`
		} `json:"tests"`
	}
	loadJSON(t, "file-location-tests.json", &suite)
	if len(suite.Tests) != 9 {
		t.Fatalf("expected 9 file-location cases, found %d", len(suite.Tests))
	}
	for i, tc := range suite.Tests {
		t.Run(tc.Name, func(t *testing.T) {
			env := MapEnv(tc.Environment, tc.Platform)
			cfg, cred := FilePaths(env)
			if cfg != tc.ConfigLocation || cred != tc.CredentialsLocation {
				t.Fatalf("case %d: got %q, %q; want %q, %q", i, cfg, cred, tc.ConfigLocation, tc.CredentialsLocation)
			}
			if tc.Profile != nil && SelectedProfile(env) != *tc.Profile {
				t.Fatalf("case %d: profile %q, want %q", i, SelectedProfile(env), *tc.Profile)
			}
			// Load reads exactly those paths.
			var read []string
			env.ReadFile = func(p string) ([]byte, error) { read = append(read, p); return nil, os.ErrNotExist }
			c, err := Load(env)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(read, []string{tc.ConfigLocation, tc.CredentialsLocation}) || c.ConfigPath != cfg || c.CredentialsPath != cred {
				t.Fatalf("case %d: Load read %q", i, read)
			}
			if tc.Profile != nil && c.Selected != *tc.Profile {
				t.Fatalf("case %d: Load selected %q", i, c.Selected)
			}
		})
	}
}

// assume-role-tests.json: profiles + selected profile -> provider chain.
func TestConformanceAssumeRole(t *testing.T) {
	var suite []struct {
		Docs  string `json:"docs"`
		Input struct {
			Profiles        map[string]map[string]string `json:"profiles"`
			SSOSessions     map[string]map[string]string `json:"sso_sessions"`
			SelectedProfile string                       `json:"selected_profile"`
		} `json:"input"`
		Output struct {
			ProfileChain []map[string]json.RawMessage `json:"ProfileChain"`
			Error        *string                      `json:"Error"`
		} `json:"output"`
	}
	loadJSON(t, "assume-role-tests.json", &suite)
	if len(suite) != 28 {
		t.Fatalf("expected 28 assume-role cases, found %d", len(suite))
	}
	passed := 0
	for i, tc := range suite {
		ok := t.Run(tc.Docs, func(t *testing.T) {
			cfg := configFromMaps(tc.Input.Profiles, tc.Input.SSOSessions)
			cfg.Selected = tc.Input.SelectedProfile
			chain, err := cfg.ResolveChain("")
			if tc.Output.Error != nil {
				if err == nil {
					t.Fatalf("case %d: want error %q, got chain %v", i, *tc.Output.Error, chainRows(chain))
				}
				var e *Error
				if !asError(err, &e) {
					t.Fatalf("case %d: %T is not *Error", i, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("case %d: unexpected error %v", i, err)
			}
			var want []map[string]any
			for _, row := range tc.Output.ProfileChain {
				for k, raw := range row {
					var v any
					if err := json.Unmarshal(raw, &v); err != nil {
						t.Fatal(err)
					}
					want = append(want, map[string]any{k: v})
				}
			}
			if got := chainRows(chain); !reflect.DeepEqual(got, want) {
				t.Fatalf("case %d:\n got %v\nwant %v", i, got, want)
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("assume-role-tests.json: %d/%d cases pass", passed, len(suite))
}

// configFromMaps builds a Config from the suite's already-parsed profiles.
func configFromMaps(profiles, sso map[string]map[string]string) *Config {
	c := &Config{Selected: defaultProfile}
	for name, kv := range profiles {
		s := c.section(&c.profiles, name)
		for k, v := range kv {
			s.props[k] = Property{Key: k, Value: v}
		}
	}
	for name, kv := range sso {
		s := c.section(&c.ssoSessions, name)
		for k, v := range kv {
			s.props[k] = Property{Key: k, Value: v}
		}
	}
	return c
}

// chainRows renders a chain in the suite's format.
func chainRows(c *Chain) []map[string]any {
	if c == nil {
		return nil
	}
	set := func(m map[string]any, k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	var rows []map[string]any
	b := c.Base
	switch b.Kind {
	case BaseStatic:
		m := map[string]any{"access_key_id": b.AccessKeyID, "secret_access_key": string(b.SecretAccessKey)}
		set(m, "session_token", string(b.SessionToken))
		set(m, "account_id", b.AccountID)
		rows = append(rows, map[string]any{"AccessKey": m})
	case BaseCredentialSource:
		rows = append(rows, map[string]any{"NamedSource": b.CredentialSource})
	case BaseWebIdentity:
		m := map[string]any{"role_arn": b.RoleARN, "web_identity_token_file": b.WebIdentityTokenFile}
		set(m, "role_session_name", b.RoleSessionName)
		rows = append(rows, map[string]any{"WebIdentityToken": m})
	case BaseSSO:
		m := map[string]any{"sso_region": b.SSORegion, "sso_start_url": b.SSOStartURL}
		set(m, "sso_session", b.SSOSession)
		set(m, "sso_account_id", b.SSOAccountID)
		set(m, "sso_role_name", b.SSORoleName)
		rows = append(rows, map[string]any{"Sso": m})
	case BaseCredentialProcess:
		m := map[string]any{"command": b.CredentialProcess}
		set(m, "account_id", b.AccountID)
		rows = append(rows, map[string]any{"CredentialProcess": m})
	case BaseLoginSession:
		rows = append(rows, map[string]any{"LoginSession": map[string]any{"login_session_arn": b.LoginSession}})
	}
	for _, s := range c.Steps {
		m := map[string]any{"role_arn": s.RoleARN}
		set(m, "external_id", s.ExternalID)
		set(m, "role_session_name", s.RoleSessionName)
		rows = append(rows, map[string]any{"AssumeRole": m})
	}
	return rows
}

// ecs-tests.json: environment -> container credentials URI or error.
func TestConformanceECS(t *testing.T) {
	var suite struct {
		Tests []struct {
			Docs   string            `json:"docs"`
			Env    map[string]string `json:"env"`
			Result struct {
				Ok            *string `json:"Ok"`
				ErrorContains *string `json:"ErrorContains"`
			} `json:"result"`
		} `json:"tests"`
	}
	loadJSON(t, "ecs-tests.json", &suite)
	if len(suite.Tests) != 11 {
		t.Fatalf("expected 11 ecs cases, found %d", len(suite.Tests))
	}
	for i, tc := range suite.Tests {
		t.Run(tc.Docs, func(t *testing.T) {
			got, err := ContainerCredentialsURI(MapEnv(tc.Env, "linux"))
			if tc.Result.ErrorContains != nil {
				if err == nil {
					t.Fatalf("case %d: want error %q, got %q", i, *tc.Result.ErrorContains, got)
				}
				return
			}
			if err != nil || got != *tc.Result.Ok {
				t.Fatalf("case %d: got %q, %v; want %q", i, got, err, *tc.Result.Ok)
			}
		})
	}
}
