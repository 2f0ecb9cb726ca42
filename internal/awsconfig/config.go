package awsconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"sort"
	"strings"
)

// FileKind says which of the two shared files a text is.
type FileKind int

const (
	// ConfigFile is ~/.aws/config: [default], [profile NAME],
	// [sso-session NAME], [services NAME].
	ConfigFile FileKind = iota
	// CredentialsFile is ~/.aws/credentials: [NAME] only.
	CredentialsFile
)

func (k FileKind) String() string {
	if k == CredentialsFile {
		return "credentials"
	}
	return "config"
}

// Env is the process environment the configuration is loaded from. The zero
// value is an empty environment on a non-Windows platform reading the real
// file system; use OSEnv for the real process.
type Env struct {
	// Getenv returns a variable's value; "" means unset. nil: no variables.
	Getenv func(key string) string
	// Platform is "windows" or anything else (runtime.GOOS values). It
	// decides how the home directory is found and the path separator.
	Platform string
	// ReadFile reads a file; nil means os.ReadFile.
	ReadFile func(path string) ([]byte, error)
}

// OSEnv is the environment of the running process.
func OSEnv() Env {
	return Env{Getenv: os.Getenv, Platform: runtime.GOOS, ReadFile: ReadFile}
}

// MaxFileSize is the largest config or credentials file read: reading
// stops one byte past it, so that a huge or endless file
// (AWS_CONFIG_FILE=/dev/zero) is an error naming the file and the limit,
// not an out-of-memory crash. Real files are kilobytes; 16 MiB holds
// tens of thousands of profiles.
const MaxFileSize = 16 << 20

// ReadFile reads a config or credentials file, at most MaxFileSize+1
// bytes (Load reports a file that long as too large).
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := 512
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() < MaxFileSize {
		size = int(fi.Size()) + 1
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err = buf.ReadFrom(io.LimitReader(f, MaxFileSize+1))
	return buf.Bytes(), err
}

// tooLarge is the error for a file longer than MaxFileSize.
func tooLarge(kind FileKind, path string) *Error {
	return &Error{Code: CodeTooLarge, File: path, Msg: fmt.Sprintf("the %s file is larger than the %d MiB limit of AWS config and credentials files", kind, MaxFileSize>>20)}
}

// MapEnv is an Env whose variables are m, for tests.
func MapEnv(m map[string]string, platform string) Env {
	return Env{Getenv: func(k string) string { return m[k] }, Platform: platform}
}

func (e Env) get(key string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(key)
}

func (e Env) windows() bool { return e.Platform == "windows" }

func (e Env) readFile(path string) ([]byte, error) {
	if e.ReadFile != nil {
		return e.ReadFile(path)
	}
	return os.ReadFile(path)
}

// Environment variables read by this package.
const (
	EnvConfigFile       = "AWS_CONFIG_FILE"
	EnvCredentialsFile  = "AWS_SHARED_CREDENTIALS_FILE"
	EnvProfile          = "AWS_PROFILE"
	EnvRegion           = "AWS_REGION"
	EnvDefaultRegion    = "AWS_DEFAULT_REGION"
	EnvEndpointURL      = "AWS_ENDPOINT_URL"
	EnvIgnoreEndpoints  = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
	EnvContainerFullURI = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	EnvContainerRelURI  = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
)

// HomeDir finds the home directory as the SDKs do: $HOME on every platform;
// on Windows then %USERPROFILE%, then %HOMEDRIVE%%HOMEPATH%.
func HomeDir(env Env) (string, bool) {
	if h := env.get("HOME"); h != "" {
		return h, true
	}
	if env.windows() {
		if h := env.get("USERPROFILE"); h != "" {
			return h, true
		}
		drive, path := env.get("HOMEDRIVE"), env.get("HOMEPATH")
		if drive != "" && path != "" {
			return drive + path, true
		}
	}
	return "", false
}

// FilePaths returns the paths of the config and credentials files:
// $AWS_CONFIG_FILE or ~/.aws/config, $AWS_SHARED_CREDENTIALS_FILE or
// ~/.aws/credentials. A leading "~" path component is replaced by the home
// directory and the path rebuilt with the platform's separator (as in
// smithy-rs); other paths are used as given.
func FilePaths(env Env) (config, credentials string) {
	config = env.get(EnvConfigFile)
	if config == "" {
		config = "~/.aws/config"
	}
	credentials = env.get(EnvCredentialsFile)
	if credentials == "" {
		credentials = "~/.aws/credentials"
	}
	return expandHome(env, config), expandHome(env, credentials)
}

func expandHome(env Env, path string) string {
	isSep := func(r rune) bool { return r == '/' }
	sep := "/"
	if env.windows() {
		isSep = func(r rune) bool { return r == '/' || r == '\\' }
		sep = `\`
	}
	parts := strings.FieldsFunc(path, isSep)
	if len(parts) == 0 || parts[0] != "~" || (path != "" && isSep(rune(path[0]))) {
		return path
	}
	out, ok := HomeDir(env)
	if !ok {
		out = "~"
	}
	for _, p := range parts[1:] {
		if p == "." {
			continue
		}
		if !strings.HasSuffix(out, sep) && !(env.windows() && strings.HasSuffix(out, "/")) {
			out += sep
		}
		out += p
	}
	return out
}

// SelectedProfile is $AWS_PROFILE, or "default".
func SelectedProfile(env Env) string {
	if p := env.get(EnvProfile); p != "" {
		return p
	}
	return defaultProfile
}

// Location is a place in a configuration file. Line is 1-based; 0 when not
// known. File is "" for configuration that does not come from a file.
type Location struct {
	File string
	Line int
}

func (l Location) String() string {
	switch {
	case l.File == "" && l.Line == 0:
		return ""
	case l.Line == 0:
		return l.File
	case l.File == "":
		return fmt.Sprintf("line %d", l.Line)
	}
	return fmt.Sprintf("%s:%d", l.File, l.Line)
}

// Property is one key of a section, with where its effective value is set.
type Property struct {
	Key   string // lower case
	Value string // continuation lines joined with "\n"
	Location
}

// Section is a profile or an [sso-session] after merging all its
// occurrences in both files. Keys are case-insensitive.
type Section struct {
	Name string
	// Locations are the section headers that make it up, in merge order.
	Locations []Location
	props     map[string]Property
}

// Get returns the value of key (case-insensitive) and whether it is set.
func (s *Section) Get(key string) (string, bool) {
	if s == nil {
		return "", false
	}
	p, ok := s.props[strings.ToLower(key)]
	return p.Value, ok
}

// Value returns the value of key, "" when unset.
func (s *Section) Value(key string) string {
	v, _ := s.Get(key)
	return v
}

// Lookup returns the property and whether it is set.
func (s *Section) Lookup(key string) (Property, bool) {
	if s == nil {
		return Property{}, false
	}
	p, ok := s.props[strings.ToLower(key)]
	return p, ok
}

// Keys returns the section's keys, sorted.
func (s *Section) Keys() []string {
	if s == nil {
		return nil
	}
	out := make([]string, 0, len(s.props))
	for k := range s.props {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Map returns the section's keys and values.
func (s *Section) Map() map[string]string {
	out := map[string]string{}
	if s == nil {
		return out
	}
	for k, p := range s.props {
		out[k] = p.Value
	}
	return out
}

// SubProperties parses the value of a property written as a group of
// sub-properties ("s3 =\n  max_concurrent_requests = 10").
func (s *Section) SubProperties(key string) map[string]string {
	out := map[string]string{}
	v, _ := s.Get(key)
	for _, sp := range subProperties(v) {
		out[sp.key] = sp.value
	}
	return out
}

// Location is where the section is first defined.
func (s *Section) Location() Location {
	if s == nil || len(s.Locations) == 0 {
		return Location{}
	}
	return s.Locations[0]
}

// String lists the section's keys, never its values (which may be secrets).
func (s *Section) String() string {
	return fmt.Sprintf("[%s] keys=%v", s.Name, s.Keys())
}

// Warning is something the SDKs silently ignore (an invalid profile name, a
// key that is not an identifier, [default] shadowed by [profile default]),
// or that the SDKs accept but the AWS CLI refuses (a section or a key
// written twice in one file: Kind WarnCLIRejects).
type Warning struct {
	Location
	Message string
	Kind    WarningKind
}

// WarningKind classifies a Warning.
type WarningKind int

const (
	// WarnIgnored: the SDKs and the AWS CLI ignore something written.
	WarnIgnored WarningKind = iota
	// WarnCLIRejects: the SDKs accept the file (merging duplicates, as
	// awsmfa does), but the AWS CLI refuses the whole file with "Unable
	// to parse config file" (botocore reads it with Python's configparser
	// in strict mode).
	WarnCLIRejects
)

func (w Warning) String() string {
	if l := w.Location.String(); l != "" {
		return l + ": " + w.Message
	}
	return w.Message
}

// Config is the merged content of the config and credentials files.
type Config struct {
	// ConfigPath and CredentialsPath are the files read ("" for texts given
	// to Parse without a path).
	ConfigPath      string
	CredentialsPath string
	// Selected is the profile used when none is named: $AWS_PROFILE or
	// "default".
	Selected string
	// Env is the environment used for region and endpoint resolution.
	Env      Env
	Warnings []Warning
	// StoredKeys, when set, is asked for the access key ID of a profile
	// whose sections hold no access key, secret or session token: the
	// awsmfa key store (internal/keystore), whose keys then act as the
	// profile's static keys (Base.Stored; the broker fetches the secret
	// only when it calls STS). ok is false when the store has none.
	StoredKeys func(profile string) (accessKeyID string, ok bool, err error)

	profiles    map[string]*Section
	ssoSessions map[string]*Section
	// services[section][service][key]
	services map[string]map[string]map[string]Property
	ignored  []ignoredSection
}

func (c *Config) warn(file string, line int, msg string) {
	c.Warnings = append(c.Warnings, Warning{Location: Location{file, line}, Message: msg})
}

// CLIRejects returns the warnings of kind WarnCLIRejects.
func (c *Config) CLIRejects() []Warning {
	var out []Warning
	for _, w := range c.Warnings {
		if w.Kind == WarnCLIRejects {
			out = append(out, w)
		}
	}
	return out
}

// File is one input of Parse.
type File struct {
	Kind FileKind
	Path string // for messages; may be ""
	Data []byte
}

// Parse parses and merges files in order (the SDKs read the config file,
// then the credentials file). The result has an empty Env and selects
// "default". A text longer than MaxFileSize is an error.
func Parse(files ...File) (*Config, error) {
	c := &Config{Selected: defaultProfile}
	for _, f := range files {
		if len(f.Data) > MaxFileSize {
			return nil, tooLarge(f.Kind, f.Path)
		}
		pf, err := parseProfileText(f.Path, string(f.Data))
		if err != nil {
			return nil, err
		}
		switch f.Kind {
		case ConfigFile:
			if c.ConfigPath == "" {
				c.ConfigPath = f.Path
			}
		case CredentialsFile:
			if c.CredentialsPath == "" {
				c.CredentialsPath = f.Path
			}
		}
		c.merge(pf, f.Kind)
	}
	return c, nil
}

// Load reads the config and credentials files named by env (see FilePaths)
// and selects $AWS_PROFILE. A missing file counts as empty, as in the SDKs;
// a file that exists but cannot be read, or does not parse, is an error
// naming the file (and line).
func Load(env Env) (*Config, error) {
	cfgPath, credPath := FilePaths(env)
	var files []File
	for _, f := range []struct {
		kind FileKind
		path string
	}{{ConfigFile, cfgPath}, {CredentialsFile, credPath}} {
		data, err := env.readFile(f.path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, &Error{Code: CodeRead, File: f.path, Msg: "cannot read the " + f.kind.String() + " file: " + unwrapPathError(err)}
		}
		if len(data) > MaxFileSize {
			return nil, tooLarge(f.kind, f.path)
		}
		files = append(files, File{Kind: f.kind, Path: f.path, Data: data})
	}
	c, err := Parse(files...)
	if err != nil {
		return nil, err
	}
	c.ConfigPath, c.CredentialsPath = cfgPath, credPath
	c.Selected = SelectedProfile(env)
	c.Env = env
	return c, nil
}

func unwrapPathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Profile returns the named profile, or nil.
func (c *Config) Profile(name string) *Section { return c.profiles[name] }

// SSOSession returns the named [sso-session], or nil.
func (c *Config) SSOSession(name string) *Section { return c.ssoSessions[name] }

// ProfileNames returns every profile name, sorted.
func (c *Config) ProfileNames() []string { return sortedKeys(c.profiles) }

// SSOSessionNames returns every [sso-session] name, sorted.
func (c *Config) SSOSessionNames() []string { return sortedKeys(c.ssoSessions) }

// ServicesNames returns the names of the [services NAME] sections, sorted.
func (c *Config) ServicesNames() []string { return sortedKeys(c.services) }

// Service returns the sub-properties configured for service (an identifier
// such as "sts") in the [services section] section.
func (c *Config) Service(section, service string) map[string]Property {
	out := map[string]Property{}
	for k, p := range c.services[section][strings.ToLower(service)] {
		out[k] = p
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// files names the configuration files for messages.
func (c *Config) files() string {
	var parts []string
	if c.ConfigPath != "" {
		parts = append(parts, c.ConfigPath)
	}
	if c.CredentialsPath != "" {
		parts = append(parts, c.CredentialsPath)
	}
	if len(parts) == 0 {
		return "the configuration"
	}
	return strings.Join(parts, " or ")
}
