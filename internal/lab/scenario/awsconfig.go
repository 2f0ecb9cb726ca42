package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/totp"
)

// Applied is what applying a scenario created: the secrets the config
// directory needs.
type Applied struct {
	Scenario string        `json:"scenario"`
	Account  string        `json:"account"`
	Region   string        `json:"region"`
	Users    []AppliedUser `json:"users"`
	Roles    []AppliedRole `json:"roles"`
}

// AppliedUser is a user with its new access keys and MFA device.
type AppliedUser struct {
	Name       string      `json:"name"`
	ARN        string      `json:"arn"`
	UserID     string      `json:"userId"`
	AccessKeys []AccessKey `json:"accessKeys,omitempty"`
	// MFASerial and MFASeed (base32, as AWS's Base32StringSeed) are set when
	// the user has a virtual MFA device.
	MFASerial string `json:"mfaSerial,omitempty"`
	MFASeed   string `json:"mfaSeed,omitempty"`
}

// AccessKey is a long-term access key pair.
type AccessKey struct {
	ID     string `json:"accessKeyId"`
	Secret string `json:"secretAccessKey"`
}

// AppliedRole is a role and the CLI profiles that assume it.
type AppliedRole struct {
	Name     string        `json:"name"`
	ARN      string        `json:"arn"`
	Profiles []RoleProfile `json:"profiles,omitempty"`
}

// User returns the applied user with that name.
func (a *Applied) User(name string) (AppliedUser, bool) {
	for _, u := range a.Users {
		if u.Name == name {
			return u, true
		}
	}
	return AppliedUser{}, false
}

// Role returns the applied role with that name.
func (a *Applied) Role(name string) (AppliedRole, bool) {
	for _, r := range a.Roles {
		if r.Name == name {
			return r, true
		}
	}
	return AppliedRole{}, false
}

// Code returns the user's current MFA code at t (RFC 6238, SHA1, 30 s).
func (u AppliedUser) Code(t time.Time) (string, error) {
	if u.MFASeed == "" {
		return "", fmt.Errorf("user %s has no MFA device", u.Name)
	}
	secret, err := totp.DecodeSecret(u.MFASeed)
	if err != nil {
		return "", err
	}
	return totp.Code(secret, t), nil
}

// Names of the files WriteConfigDir writes.
const (
	ConfigFile      = "config"
	CredentialsFile = "credentials"
	MFAFile         = "lab-mfa.json"
	EndpointFile    = "endpoint"
	EnvFile         = "env.sh"
	DataDir         = "data"
)

// header marks files written by WriteConfigDir; --force only replaces a
// directory whose config and credentials carry it.
const header = "# Written by awsmfa lab init."

// ErrExists is returned by WriteConfigDir when the directory already holds
// files and Force is not set.
var ErrExists = errors.New("config directory is not empty")

// WriteOptions controls WriteConfigDir.
type WriteOptions struct {
	// Endpoint is the lab's base URL (http://127.0.0.1:PORT).
	Endpoint string
	// State is the lab state file the keys live in (shown in comments);
	// empty for an ephemeral lab.
	State string
	// Force replaces a directory previously written by WriteConfigDir.
	Force bool
	// Now stamps the header; zero means time.Now.
	Now time.Time
}

// MFAFileContent is the JSON of lab-mfa.json: the virtual MFA devices'
// seeds, so tests and scripts can compute codes (`oathtool --totp -b SEED`).
type MFAFileContent struct {
	Endpoint string      `json:"endpoint"`
	Account  string      `json:"account"`
	Region   string      `json:"region"`
	State    string      `json:"state,omitempty"`
	Devices  []MFADevice `json:"devices"`
}

// MFADevice is one device of lab-mfa.json.
type MFADevice struct {
	User    string `json:"user"`
	Serial  string `json:"serialNumber"`
	Seed    string `json:"base32StringSeed"`
	OTPAuth string `json:"otpauthURI"`
}

// ReadMFAFile reads lab-mfa.json.
func ReadMFAFile(path string) (*MFAFileContent, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m MFAFileContent
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}

// ValidateEndpoint checks that u is an http(s) URL with a host and no path,
// query or credentials.
func ValidateEndpoint(u string) error {
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("endpoint %q: %w", u, err)
	}
	if (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil ||
		(p.Path != "" && p.Path != "/") || p.RawQuery != "" || p.Fragment != "" {
		return fmt.Errorf("endpoint %q: want http://HOST:PORT", u)
	}
	return nil
}

// WriteConfigDir writes an AWS config directory for the applied scenario:
//
//	config, credentials   profiles per user (access keys, region, endpoint_url)
//	                      and per role profile (role_arn, source_profile,
//	                      mfa_serial), mode 0600
//	lab-mfa.json          MFA device seeds, mode 0600
//	endpoint              the lab URL
//	env.sh                exports for a shell (AWS_CONFIG_FILE, ...)
//	data/...              endpoint rule sets for AWS_DATA_PATH, so the AWS
//	                      CLI v2's own AssumeRole (mfa_serial profiles) and
//	                      plain `aws sts|iam|ec2` calls reach the lab
//
// It returns the paths written, in order.
func WriteConfigDir(dir string, a *Applied, opts WriteOptions) ([]string, error) {
	if err := ValidateEndpoint(opts.Endpoint); err != nil {
		return nil, err
	}
	endpoint := strings.TrimSuffix(opts.Endpoint, "/")
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := CheckConfigDir(abs, opts.Force); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	var written []string
	write := func(rel string, data []byte, mode os.FileMode) error {
		p := filepath.Join(abs, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return err
		}
		if err := writeFileAtomic(p, data, mode); err != nil {
			return err
		}
		written = append(written, p)
		return nil
	}
	mfa, err := renderMFAFile(a, endpoint, opts.State)
	if err != nil {
		return nil, err
	}
	files := []outFile{
		{ConfigFile, renderConfig(abs, a, endpoint, opts.State, now)},
		{CredentialsFile, renderCredentials(abs, a, endpoint, now)},
		{MFAFile, mfa},
		{EndpointFile, []byte(endpoint + "\n")},
		{EnvFile, renderEnv(abs, endpoint)},
	}
	for _, svc := range ruleSetServices {
		rs, err := RuleSet(svc.Name, endpoint)
		if err != nil {
			return nil, err
		}
		files = append(files, outFile{filepath.Join(DataDir, svc.Name, svc.APIVersion, "endpoint-rule-set-1.json"), rs})
	}
	for _, f := range files {
		if err := write(f.rel, f.data, 0o600); err != nil {
			return written, err
		}
	}
	return written, nil
}

type outFile struct {
	rel  string
	data []byte
}

// CheckConfigDir refuses a non-empty directory unless force is set, and refuses
// even with force when its config or credentials file was not written by
// WriteConfigDir (for example a real ~/.aws).
func CheckConfigDir(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	if !force {
		return fmt.Errorf("%w: %s (use --force to replace a directory written by awsmfa lab init)", ErrExists, dir)
	}
	for _, name := range []string{ConfigFile, CredentialsFile} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if !bytes.HasPrefix(data, []byte(header)) {
			return fmt.Errorf("%s was not written by awsmfa lab init; refusing to replace it even with --force", filepath.Join(dir, name))
		}
	}
	return nil
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Chmod(mode)
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
	}
	return werr
}

func commonHeader(b *bytes.Buffer, dir string, a *Applied, endpoint string, now time.Time) {
	fmt.Fprintf(b, "%s Scenario %q, account %s, %s.\n", header, a.Scenario, a.Account, now.UTC().Format(time.RFC3339))
	fmt.Fprintf(b, "# These profiles talk to the local awsmfa lab at %s, never to real AWS:\n", endpoint)
	fmt.Fprintf(b, "# the access keys exist only in the lab's state.\n")
	fmt.Fprintf(b, "#\n")
	fmt.Fprintf(b, "#   . %s        # sets AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_DATA_PATH, AWS_ENDPOINT_URL*\n", filepath.Join(dir, EnvFile))
	fmt.Fprintf(b, "#   aws --profile NAME --endpoint-url %s sts get-caller-identity\n", endpoint)
	fmt.Fprintf(b, "#\n")
	fmt.Fprintf(b, "# AWS CLI v2 before 2.13 ignores endpoint_url in this file; AWS_DATA_PATH=%s\n", filepath.Join(dir, DataDir))
	fmt.Fprintf(b, "# points its sts, iam and ec2 clients (and the AssumeRole of mfa_serial profiles) at the lab.\n")
}

func renderConfig(dir string, a *Applied, endpoint, state string, now time.Time) []byte {
	var b bytes.Buffer
	commonHeader(&b, dir, a, endpoint, now)
	if state != "" {
		fmt.Fprintf(&b, "# Lab state: %s\n", state)
	}
	fmt.Fprintf(&b, "\n[default]\nregion = %s\noutput = json\n", a.Region)
	for _, u := range a.Users {
		if len(u.AccessKeys) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n# User %s (%s).\n", u.Name, u.ARN)
		if u.MFASerial != "" {
			stateFlag := ""
			if state != "" {
				stateFlag = " --state " + shellQuote(state)
			}
			fmt.Fprintf(&b, "# MFA device %s; its current code: awsmfa lab totp%s --serial %s\n", u.MFASerial, stateFlag, u.MFASerial)
		}
		fmt.Fprintf(&b, "[profile %s]\nregion = %s\noutput = json\nendpoint_url = %s\nservices = %s\n", u.Name, a.Region, endpoint, servicesSection)
	}
	for _, r := range a.Roles {
		for _, p := range r.Profiles {
			u, ok := a.User(p.SourceUser)
			if !ok {
				continue
			}
			if p.MFA {
				fmt.Fprintf(&b, "\n# Role %s assumed by %s with an MFA code (the CLI prompts \"Enter MFA code for %s:\").\n", r.Name, u.Name, u.MFASerial)
			} else {
				fmt.Fprintf(&b, "\n# Role %s assumed by %s without MFA.\n", r.Name, u.Name)
			}
			fmt.Fprintf(&b, "[profile %s]\nregion = %s\noutput = json\nendpoint_url = %s\nservices = %s\nrole_arn = %s\nsource_profile = %s\n",
				p.Name, a.Region, endpoint, servicesSection, r.ARN, u.Name)
			if p.MFA && u.MFASerial != "" {
				fmt.Fprintf(&b, "mfa_serial = %s\n", u.MFASerial)
			}
		}
	}
	// Service-specific endpoints: the AWS SDK for Go v2 builds the STS
	// client of an assume-role profile before it reads the profile's
	// endpoint_url, but looks up a services section for it.
	// https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
	fmt.Fprintf(&b, "\n# Service-specific endpoints (AWS CLI 2.13+, boto3 1.28+, AWS SDK for Go v2).\n[services %s]\n", servicesSection)
	for _, svc := range ruleSetServices {
		fmt.Fprintf(&b, "%s =\n  endpoint_url = %s\n", svc.Name, endpoint)
	}
	return b.Bytes()
}

// servicesSection names the config file's [services ...] section.
const servicesSection = "awsmfa-lab"

func renderCredentials(dir string, a *Applied, endpoint string, now time.Time) []byte {
	var b bytes.Buffer
	commonHeader(&b, dir, a, endpoint, now)
	for _, u := range a.Users {
		if len(u.AccessKeys) == 0 {
			continue
		}
		k := u.AccessKeys[0]
		fmt.Fprintf(&b, "\n[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", u.Name, k.ID, k.Secret)
		for i, k := range u.AccessKeys[1:] {
			fmt.Fprintf(&b, "\n[%s-key%d]\naws_access_key_id = %s\naws_secret_access_key = %s\n", u.Name, i+2, k.ID, k.Secret)
		}
	}
	return b.Bytes()
}

func renderMFAFile(a *Applied, endpoint, state string) ([]byte, error) {
	m := MFAFileContent{Endpoint: endpoint, Account: a.Account, Region: a.Region, State: state, Devices: []MFADevice{}}
	for _, u := range a.Users {
		if u.MFASerial == "" {
			continue
		}
		secret, err := totp.DecodeSecret(u.MFASeed)
		if err != nil {
			return nil, fmt.Errorf("user %s: MFA seed: %w", u.Name, err)
		}
		m.Devices = append(m.Devices, MFADevice{
			User:    u.Name,
			Serial:  u.MFASerial,
			Seed:    u.MFASeed,
			OTPAuth: totp.URI("awsmfa-lab", u.Name+"@"+a.Account, secret),
		})
	}
	sort.Slice(m.Devices, func(i, j int) bool { return m.Devices[i].User < m.Devices[j].User })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep the otpauth URI's "&" readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func renderEnv(dir, endpoint string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s Source it: . %s\n", header, shellQuote(filepath.Join(dir, EnvFile)))
	fmt.Fprintf(&b, "export AWS_CONFIG_FILE=%s\n", shellQuote(filepath.Join(dir, ConfigFile)))
	fmt.Fprintf(&b, "export AWS_SHARED_CREDENTIALS_FILE=%s\n", shellQuote(filepath.Join(dir, CredentialsFile)))
	fmt.Fprintf(&b, "export AWS_DATA_PATH=%s\n", shellQuote(filepath.Join(dir, DataDir)))
	fmt.Fprintf(&b, "export AWS_ENDPOINT_URL=%s\n", shellQuote(endpoint))
	// The AWS SDK for Go v2 builds an assume-role profile's STS client
	// before it applies AWS_ENDPOINT_URL, and then skips the config's
	// services section when AWS_ENDPOINT_URL is set: only the
	// service-specific variable reaches that client.
	for _, svc := range ruleSetServices {
		fmt.Fprintf(&b, "export AWS_ENDPOINT_URL_%s=%s\n", strings.ToUpper(svc.Name), shellQuote(endpoint))
	}
	return b.Bytes()
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._:-+=@,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
