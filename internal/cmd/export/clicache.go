package export

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/credcache"
)

// The AWS CLI caches the credentials of role profiles in
// ~/.aws/cli/cache/KEY.json (awscli/customizations/assumerole.py:
// CACHE_DIR), KEY being the SHA-1 of the AssumeRole arguments it derives
// from the profile, serialized as Python's json.dumps(args,
// sort_keys=True) (botocore credentials.py:
// BaseAssumeRoleCredentialFetcher._create_cache_key). It uses an entry
// while it has at least 15 minutes left
// (CachedCredentialFetcher.DEFAULT_EXPIRY_WINDOW_SECONDS), without calling
// STS or asking for an MFA code.

// CLICacheArgs are the AssumeRole arguments the AWS CLI derives from a
// role profile (botocore AssumeRoleProvider._load_creds_via_assume_role):
// RoleArn, and when set RoleSessionName, ExternalId, SerialNumber
// (mfa_serial) and DurationSeconds (duration_seconds as an integer,
// dropped when it is not one). A generated session name is not part of
// the key.
func CLICacheArgs(p *awsconfig.Section) (map[string]any, error) {
	role, ok := p.Get(awsconfig.KeyRoleARN)
	if !ok {
		return nil, fmt.Errorf("profile %q has no role_arn: the AWS CLI caches only the credentials of role profiles", p.Name)
	}
	args := map[string]any{"RoleArn": role}
	for key, arg := range map[string]string{
		awsconfig.KeyRoleSessionName: "RoleSessionName",
		awsconfig.KeyExternalID:      "ExternalId",
		awsconfig.KeyMFASerial:       "SerialNumber",
	} {
		if v, ok := p.Get(key); ok {
			args[arg] = v
		}
	}
	if v, ok := p.Get(awsconfig.KeyDurationSeconds); ok {
		// Python's int(): surrounding blanks, a sign and "_" between
		// digits are accepted.
		if n, err := pyInt(v); err == nil {
			args["DurationSeconds"] = n
		}
	}
	return args, nil
}

// pyInt parses an integer as Python's int(str) does.
func pyInt(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "__") || strings.HasPrefix(strings.TrimLeft(s, "+-"), "_") || strings.HasSuffix(s, "_") {
		return 0, fmt.Errorf("invalid")
	}
	return strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
}

// CLICacheKey is the file name (without .json) of the AWS CLI's cache entry
// for args.
func CLICacheKey(args map[string]any) string {
	sum := sha1.Sum([]byte(pyJSONDumps(args)))
	return hex.EncodeToString(sum[:])
}

// pyJSONDumps serializes a flat object of strings and integers exactly as
// Python's json.dumps(obj, sort_keys=True): ", " and ": " separators, keys
// in code point order, non-ASCII and control characters escaped as \uXXXX
// (surrogate pairs beyond the BMP).
func pyJSONDumps(obj map[string]any) string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys) // byte order of UTF-8 is code point order
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		pyString(&b, k)
		b.WriteString(": ")
		switch v := obj[k].(type) {
		case string:
			pyString(&b, v)
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		case int:
			b.WriteString(strconv.Itoa(v))
		default:
			pyString(&b, fmt.Sprint(v))
		}
	}
	b.WriteByte('}')
	return b.String()
}

func pyString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r >= 0x20 && r <= 0x7e:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(b, `\u%04x\u%04x`, r1, r2)
		default:
			// Other ASCII controls, DEL, non-ASCII; an invalid UTF-8 byte
			// decodes as U+FFFD, which is what Python sees for the same
			// text after a lossy decode.
			fmt.Fprintf(b, `\u%04x`, r)
		}
	}
	b.WriteByte('"')
}

// CLICacheDir is ~/.aws/cli/cache for the home directory of env.
func CLICacheDir(env awsconfig.Env) (string, error) {
	home, ok := awsconfig.HomeDir(env)
	if !ok {
		return "", fmt.Errorf("cannot locate the home directory (HOME is not set), so not the AWS CLI's cache either")
	}
	return filepath.Join(home, ".aws", "cli", "cache"), nil
}

// cliCacheEntry is the JSON the AWS CLI writes: the AssumeRole response.
type cliCacheEntry struct {
	Credentials     cliCredentials   `json:"Credentials"`
	AssumedRoleUser *cliAssumedRoler `json:"AssumedRoleUser,omitempty"`
}

type cliCredentials struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken"`
	// Expiration as botocore's JSONFileCache writes a datetime
	// (strftime('%Y-%m-%dT%H:%M:%S%Z'), "UTC" for STS's times); read back
	// with dateutil's parser.
	Expiration string `json:"Expiration"`
}

type cliAssumedRoler struct {
	Arn string `json:"Arn"`
}

// CLICacheExpiration formats t as the AWS CLI's cache does.
func CLICacheExpiration(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") + "UTC" }

// WriteCLICache writes c as the AWS CLI's cache entry KEY.json in dir
// (created 0700; the file 0600, replaced atomically) and returns its path.
func WriteCLICache(dir, key string, c *credcache.Credentials) (string, error) {
	if c.SessionToken == "" || c.Expiration.IsZero() {
		return "", fmt.Errorf("the credentials are not temporary role credentials")
	}
	e := cliCacheEntry{Credentials: cliCredentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
		SessionToken: c.SessionToken, Expiration: CLICacheExpiration(c.Expiration)}}
	if c.PrincipalARN != "" {
		e.AssumedRoleUser = &cliAssumedRoler{Arn: c.PrincipalARN}
	}
	data, err := json.Marshal(e)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, key+".json")
	if err := awsconfig.WriteFileAtomic(path, data, 0o600); err != nil {
		return "", err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return "", err
	}
	return path, nil
}
