// Package keyops moves long-term access keys between the AWS files and the
// key store (internal/keystore) and rotates them, each step crash-safe: an
// import stores the key and checks it before the file is touched, and a
// rotation records each step in the store before the next one, so a kill
// at any moment leaves the key in at least one place and a second run
// finishes the job.
package keyops

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/keystore"
)

// ImportResult says what Import did for one profile.
type ImportResult struct {
	Profile     string `json:"profile"`
	AccessKeyID string `json:"accessKeyId"`
	// Stored: the key was written to the store (false: it was there).
	Stored bool `json:"stored"`
	// RemovedFrom are the files the key was removed from.
	RemovedFrom []string `json:"removedFrom"`
	// CredentialProcess: credential_process was added to the profile in
	// the config file, so the AWS CLI gets credentials from awsmfa.
	CredentialProcess bool `json:"credentialProcess"`
}

// Importer moves keys from the files into the store.
type Importer struct {
	Store keystore.Store
	// Env locates the files (awsconfig.Load).
	Env awsconfig.Env
	Now func() time.Time
	// Command is the awsmfa command written into credential_process
	// (default "awsmfa").
	Command string
}

// CredentialProcessFor is the credential_process value that makes the AWS
// CLI get profile's credentials from awsmfa.
func CredentialProcessFor(command, profile string) string {
	if command == "" {
		command = "awsmfa"
	}
	return command + " credential-process --profile " + profile
}

// Candidates are the profiles whose long-term keys are in the files (not
// temporary ones with a session token).
func Candidates(cfg *awsconfig.Config) []string {
	var out []string
	for _, name := range cfg.ProfileNames() {
		p := cfg.Profile(name)
		_, id := p.Lookup(awsconfig.KeyAccessKeyID)
		_, tok := p.Lookup(awsconfig.KeySessionToken)
		if id && !tok {
			out = append(out, name)
		}
	}
	return out
}

// Import moves one profile's keys: (1) store them (unless the store holds
// the same key already) and read them back; (2) add credential_process to
// the profile in the config file when the profile has no other way to
// get credentials once the keys are gone, which the AWS CLI ignores while
// the keys are still in the files (keys in the files come first); (3)
// remove the keys from the files they are in. Run again after a crash, it
// finishes: a profile whose keys are no longer in the files but in the
// store only gets step (2).
func (im *Importer) Import(profile string) (*ImportResult, error) {
	cfg, err := awsconfig.Load(im.Env)
	if err != nil {
		return nil, err
	}
	p := cfg.Profile(profile)
	if p == nil {
		return nil, fmt.Errorf("profile %s is not in %s or %s", profile, cfg.ConfigPath, cfg.CredentialsPath)
	}
	res := &ImportResult{Profile: profile, RemovedFrom: []string{}}
	idProp, hasID := p.Lookup(awsconfig.KeyAccessKeyID)
	secretProp, hasSecret := p.Lookup(awsconfig.KeySecretAccessKey)
	if _, tok := p.Lookup(awsconfig.KeySessionToken); tok {
		return nil, fmt.Errorf("profile %s holds temporary credentials (aws_session_token at %s): only long-term access keys are imported", profile, idProp.Location)
	}
	switch {
	case hasID && hasSecret:
		if err := im.store(profile, idProp, secretProp, res); err != nil {
			return nil, err
		}
	case hasID || hasSecret:
		return nil, fmt.Errorf("profile %s has only one of aws_access_key_id and aws_secret_access_key: fix the file first", profile)
	default:
		id, ok, err := im.Store.Lookup(profile)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("profile %s has no access key in the files nor in the key store", profile)
		}
		res.AccessKeyID = id
	}
	if res.CredentialProcess, err = im.ensureCredentialProcess(cfg, p); err != nil {
		return nil, fmt.Errorf("the key of profile %s is in the key store, but the config file could not be updated (run import again): %w", profile, err)
	}
	if hasID {
		if err := im.removeFromFiles(cfg, profile, res); err != nil {
			return nil, fmt.Errorf("the key of profile %s is in the key store, but it could not be removed from the files (run import again): %w", profile, err)
		}
	}
	return res, nil
}

// store writes the key and reads it back.
func (im *Importer) store(profile string, idProp, secretProp awsconfig.Property, res *ImportResult) error {
	id, secret := idProp.Value, secretProp.Value
	if !keystore.ValidAccessKeyID(id) {
		return fmt.Errorf("profile %s: aws_access_key_id at %s is not an access key ID", profile, idProp.Location)
	}
	if !keystore.ValidSecret(secret) {
		return fmt.Errorf("profile %s: aws_secret_access_key at %s is not a secret access key (40 characters of base64)", profile, secretProp.Location)
	}
	res.AccessKeyID = id
	old, err := im.Store.Get(profile)
	if err != nil {
		return err
	}
	if old != nil && old.Rotation != nil {
		return fmt.Errorf("profile %s: a rotation of its stored key %s is unfinished: run awsmfa keys rotate %s to finish it before importing", profile, old.AccessKeyID, profile)
	}
	if old != nil && old.AccessKeyID == id && same(old.SecretAccessKey, secret) {
		return nil
	}
	if old != nil {
		return fmt.Errorf("profile %s: the key store holds access key %s, the files hold %s: remove the one that is no longer valid (awsmfa keys remove %s, or delete it from the file) and import again", profile, old.AccessKeyID, id, profile)
	}
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	if err := im.Store.Put(&keystore.Entry{Profile: profile, AccessKeyID: id, SecretAccessKey: secret, Added: now().UTC()}); err != nil {
		return fmt.Errorf("storing the key of profile %s: %w", profile, err)
	}
	back, err := im.Store.Get(profile)
	if err != nil {
		return fmt.Errorf("reading back the key of profile %s: %w", profile, err)
	}
	if back == nil || back.AccessKeyID != id || !same(back.SecretAccessKey, secret) {
		return fmt.Errorf("the key store did not keep the key of profile %s: the files were not changed", profile)
	}
	res.Stored = true
	return nil
}

func same(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// ensureCredentialProcess adds credential_process to a profile that would
// have no credentials for the AWS CLI without its keys: a profile with
// role_arn, credential_process, credential_source, SSO or web identity
// settings keeps what it has.
func (im *Importer) ensureCredentialProcess(cfg *awsconfig.Config, p *awsconfig.Section) (bool, error) {
	for _, k := range []string{awsconfig.KeyCredentialProcess, awsconfig.KeyRoleARN, awsconfig.KeyCredentialSource, awsconfig.KeyWebIdentityToken, "sso_session", "sso_start_url"} {
		if _, ok := p.Get(k); ok {
			return false, nil
		}
	}
	return true, im.setCredentialProcess(cfg.ConfigPath, p.Name)
}

func (im *Importer) setCredentialProcess(configPath, profile string) error {
	if configPath == "" {
		return errors.New("no config file path")
	}
	return awsconfig.EditFile(configPath, func(b []byte) ([]byte, error) {
		return awsconfig.SetProfile(b, profile, []awsconfig.KeyValue{{Key: awsconfig.KeyCredentialProcess, Value: CredentialProcessFor(im.Command, profile)}})
	})
}

// EnsureCLI makes a profile whose keys are in the store usable by the AWS
// CLI: it adds credential_process to the profile (creating the profile in
// the config file when it is in neither file) unless the profile has
// another way to get credentials. It reports whether it changed the file.
func (im *Importer) EnsureCLI(profile string) (bool, error) {
	cfg, err := awsconfig.Load(im.Env)
	if err != nil {
		return false, err
	}
	p := cfg.Profile(profile)
	if p == nil {
		return true, im.setCredentialProcess(cfg.ConfigPath, profile)
	}
	if _, ok := p.Get(awsconfig.KeyAccessKeyID); ok {
		return false, nil // keys in the files: the AWS CLI uses those
	}
	return im.ensureCredentialProcess(cfg, p)
}

// removeFromFiles deletes the static keys from both files.
func (im *Importer) removeFromFiles(cfg *awsconfig.Config, profile string, res *ImportResult) error {
	keys := []string{awsconfig.KeyAccessKeyID, awsconfig.KeySecretAccessKey}
	for _, f := range []struct {
		kind awsconfig.FileKind
		path string
	}{{awsconfig.CredentialsFile, cfg.CredentialsPath}, {awsconfig.ConfigFile, cfg.ConfigPath}} {
		if f.path == "" {
			continue
		}
		changed := false
		err := awsconfig.EditFile(f.path, func(b []byte) ([]byte, error) {
			out, err := awsconfig.DeleteKeysIn(f.kind, b, profile, keys)
			changed = err == nil && string(out) != string(b)
			return out, err
		})
		if err != nil {
			return err
		}
		if changed {
			res.RemovedFrom = append(res.RemovedFrom, f.path)
		}
	}
	return nil
}
