package awsconfig

import (
	"errors"
	"testing"
)

// TestStoredKeys: stored keys act as the static keys of a profile whose
// files hold none; keys in the files win; a store that cannot be read
// fails the profiles that may depend on it (no source, or a
// credential_process, which keys import points at awsmfa itself) and not
// those with a source of their own.
func TestStoredKeys(t *testing.T) {
	config := `[profile stored]
region = eu-west-1

[profile process]
credential_process = awsmfa credential-process --profile process

[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Dev

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = eu-west-1

[profile instance]
credential_source = Ec2InstanceMetadata

[profile role]
role_arn = arn:aws:iam::123456789012:role/ops
source_profile = stored
`
	creds := "[files]\naws_access_key_id = AKIAFILESFILESFILES1\naws_secret_access_key = s\n"
	stored := map[string]string{"stored": "AKIASTOREDSTOREDSTO1", "process": "AKIAPROCESSPROCESSP1", "files": "AKIANOTUSEDNOTUSEDN1"}
	for _, broken := range []bool{false, true} {
		cfg := mustParse(t, config, creds)
		cfg.StoredKeys = func(profile string) (string, bool, error) {
			if broken {
				return "", false, errors.New("the key store cannot be read")
			}
			id, ok := stored[profile]
			return id, ok, nil
		}
		for _, tc := range []struct {
			profile    string
			kind       BaseKind
			id         string // the base's access key ID when the store works
			failBroken bool
		}{
			{"stored", BaseStatic, "AKIASTOREDSTOREDSTO1", true},
			{"process", BaseStatic, "AKIAPROCESSPROCESSP1", true},
			{"files", BaseStatic, "AKIAFILESFILESFILES1", false},
			{"sso", BaseSSO, "", false},
			{"instance", BaseCredentialSource, "", false},
			{"role", BaseStatic, "AKIASTOREDSTOREDSTO1", true},
		} {
			ch, err := cfg.Resolve(tc.profile)
			if broken && tc.failBroken {
				var e *Error
				if !errors.As(err, &e) || e.Code != CodeKeyStore {
					t.Errorf("broken store, %s: %v, want a key store error", tc.profile, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("broken=%v, %s: %v", broken, tc.profile, err)
				continue
			}
			if ch.Base.Kind != tc.kind || ch.Base.AccessKeyID != tc.id && tc.kind == BaseStatic {
				t.Errorf("broken=%v, %s: base %v %s, want %v %s", broken, tc.profile, ch.Base.Kind, ch.Base.AccessKeyID, tc.kind, tc.id)
			}
		}
	}
}
