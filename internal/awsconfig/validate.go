package awsconfig

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Value rules. STS constraints come from the STS API model
// (botocore data/sts/2011-06-15/service-2.json at commit 0e6e2404);
// ARN shapes from
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns

// partition matches the AWS partitions: aws, aws-cn, aws-us-gov, aws-iso,
// aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc.
const partition = `aws(?:-[a-z]+)*`

// The shapes every resolution checks (role and MFA device ARNs, serial
// numbers, session names, regions) are matched by hand in match.go: a
// counted repetition such as {1,226} compiles into a nesting that deep,
// and compiling it grew the stack of every credential_process cache hit
// to 512 KiB. The expressions below only name what was given instead, on
// the error path, and compile on first use.
var (
	// IAM user ARN, the common mistake in mfa_serial.
	userARNRe = lazyRegexp(`^arn:(` + partition + `):iam::(\d{12}):user/((?:[!-.0-~]+/)*)([\w+=,.@-]{1,64})$`)
	// Any IAM/STS ARN, to name what was given instead.
	iamARNRe = lazyRegexp(`^arn:` + partition + `:(iam|sts)::(\d{12}|aws):([a-z-]+)/`)
)

// Limits of STS parameters.
const (
	MinRoleDuration    = 900 * time.Second   // AssumeRole DurationSeconds minimum
	MaxRoleDuration    = 43200 * time.Second // AssumeRole DurationSeconds maximum (12 h)
	ChainedMaxDuration = time.Hour           // role chaining limit
	DefaultRoleSession = time.Hour           // STS default when DurationSeconds is not sent
	MinMFASession      = 900 * time.Second   // GetSessionToken minimum
	MaxMFASession      = 36 * time.Hour      // GetSessionToken maximum for IAM users
	DefaultMFASession  = 12 * time.Hour      // GetSessionToken default
)

// ValidateRoleARN checks that s is an IAM role ARN
// (arn:aws:iam::123456789012:role/NAME, optionally with a path).
func ValidateRoleARN(s string) error {
	if isIAMARN(s, "role", 64) {
		return nil
	}
	msg := fmt.Sprintf("%q is not an IAM role ARN", s)
	hint := "expected arn:aws:iam::<12-digit account>:role/<name>"
	if m := iamARNRe().FindStringSubmatch(s); m != nil {
		switch {
		case m[1] == "sts" && m[3] == "assumed-role":
			hint = "this is the ARN of a role session (sts assumed-role); use the role's ARN, arn:aws:iam::" + m[2] + ":role/<name>"
		case m[3] != "role":
			hint = fmt.Sprintf("this is an IAM %s ARN; role_arn needs arn:aws:iam::%s:role/<name>", m[3], m[2])
		}
	} else if strings.HasPrefix(s, "arn:") && strings.Contains(s, ":role/") {
		hint = "check the partition and the account ID (12 digits): arn:aws:iam::123456789012:role/NAME"
	}
	return fmt.Errorf("%s; %s", msg, hint)
}

// MFASerialProblem describes why an mfa_serial value is invalid; UserARN is
// set when the value is the user's ARN instead of the MFA device's, with the
// likely device ARN in Suggested.
type MFASerialProblem struct {
	Msg       string
	UserARN   bool
	Suggested string
	UserName  string
}

func (p *MFASerialProblem) Error() string {
	if p.UserARN {
		return p.Msg + "; " + p.Hint()
	}
	return p.Msg
}

// Hint says what to write instead of a user ARN.
func (p *MFASerialProblem) Hint() string {
	if !p.UserARN {
		return ""
	}
	return fmt.Sprintf("probably mfa_serial = %s (devices are often named after their user; `aws iam list-mfa-devices --user-name %s` prints the exact SerialNumber)", p.Suggested, p.UserName)
}

// ValidateMFASerial checks an mfa_serial: a virtual or FIDO device ARN
// (arn:aws:iam::123456789012:mfa/NAME) or a hardware token serial number
// (9 to 256 of letters, digits and _+=/:,.@-). It returns a
// *MFASerialProblem.
func ValidateMFASerial(s string) error {
	if strings.HasPrefix(s, "arn:") {
		if isIAMARN(s, "mfa", 226) {
			return nil
		}
		if m := userARNRe().FindStringSubmatch(s); m != nil {
			suggested := fmt.Sprintf("arn:%s:iam::%s:mfa/%s", m[1], m[2], m[4])
			return &MFASerialProblem{UserARN: true, Suggested: suggested, UserName: m[4],
				Msg: fmt.Sprintf("%q is the ARN of the IAM user, not of its MFA device (device ARNs have \":mfa/\" where user ARNs have \":user/\")", s)}
		}
		if m := iamARNRe().FindStringSubmatch(s); m != nil {
			return &MFASerialProblem{Msg: fmt.Sprintf("%q is an IAM %s ARN, not an MFA device; expected arn:aws:iam::%s:mfa/<device name>", s, m[3], m[2])}
		}
		return &MFASerialProblem{Msg: fmt.Sprintf("%q is not an MFA device ARN; expected arn:aws:iam::<12-digit account>:mfa/<device name>", s)}
	}
	if isSerialNumber(s) {
		return nil
	}
	return &MFASerialProblem{Msg: fmt.Sprintf("%q is neither an MFA device ARN (arn:aws:iam::<account>:mfa/<name>) nor a hardware token serial number (9 to 256 of letters, digits and _+=/:,.@-)", s)}
}

// ParseDurationSeconds parses duration_seconds: an integer of seconds from
// 900 to 43200 (the AssumeRole range).
func ParseDurationSeconds(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number of seconds (900 to 43200)", s)
	}
	if n < 900 || n > 43200 {
		return 0, fmt.Errorf("%d is outside the range AssumeRole accepts, 900 (15 minutes) to 43200 (12 hours) seconds", n)
	}
	return n, nil
}

// ParseMFASessionDuration parses mfa_session_duration: a Go duration such as
// "12h" or "90m", or a bare integer of seconds ("43200"); it must be within
// GetSessionToken's range for IAM users, 15 minutes to 36 hours.
func ParseMFASessionDuration(s string) (time.Duration, error) {
	var d time.Duration
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 || n > int64(MaxMFASession/time.Second)*10 {
			return 0, fmt.Errorf("%q is outside 15m..36h", s)
		}
		d = time.Duration(n) * time.Second
	} else {
		d, err = time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration (write e.g. 12h, 90m, or a number of seconds)", s)
		}
	}
	if d < MinMFASession || d > MaxMFASession {
		return 0, fmt.Errorf("%q is outside the range GetSessionToken accepts, 15m to 36h", s)
	}
	if d%time.Second != 0 {
		return 0, fmt.Errorf("%q is not a whole number of seconds", s)
	}
	return d, nil
}

// ValidateRegion checks the shape of a region name.
func ValidateRegion(s string) error {
	if isRegionName(s) {
		return nil
	}
	return fmt.Errorf("%q is not a region name (like us-east-1)", s)
}

// ValidateRoleSessionName checks role_session_name (2..64 of [\w+=,.@-]).
func ValidateRoleSessionName(s string) error {
	if isSessionName(s) {
		return nil
	}
	return fmt.Errorf("%q is not a valid role session name: 2 to 64 of letters, digits and _+=,.@-", s)
}

// ValidateExternalID checks external_id (2..1224 of [\w+=,.@:/-]).
func ValidateExternalID(s string) error {
	if isExternalID(s) {
		return nil
	}
	return fmt.Errorf("external_id must be 2 to 1224 of letters, digits and _+=,.@:/- (got %d characters)", len(s))
}

// lazyRegexp returns a function compiling expr once, on first call.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
