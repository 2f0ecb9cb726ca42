package broker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/aws/smithy-go"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
)

// ErrorCode classifies an *Error for programs and tests; the message is for
// people.
type ErrorCode string

// Error codes.
const (
	CodeMFACodeRejected ErrorCode = "mfa-code-rejected"  // wrong or reused MFA code
	CodeMFASerial       ErrorCode = "mfa-serial-invalid" // device unknown or not the caller's
	CodeMFANeeded       ErrorCode = "mfa-needed"         // a code is needed and prompting is off
	CodeMFASource       ErrorCode = "mfa-source"         // no code could be obtained
	CodeAccessDenied    ErrorCode = "access-denied"      // AssumeRole refused
	CodeUnknownKey      ErrorCode = "unknown-access-key" // InvalidClientTokenId
	CodeSignature       ErrorCode = "signature"          // SignatureDoesNotMatch
	CodeExpiredToken    ErrorCode = "expired-token"      // ExpiredToken
	CodeClock           ErrorCode = "clock-skew"         // RequestExpired / signature expired
	CodeSessionKeys     ErrorCode = "session-keys"       // GetSessionToken with session credentials
	CodeValidation      ErrorCode = "validation"         // ValidationError
	CodeUnreachable     ErrorCode = "unreachable"        // network failure
	CodeSTS             ErrorCode = "sts"                // any other STS error
	CodeLoop            ErrorCode = "loop"               // credential_process runs awsmfa for the same chain
	CodeProcess         ErrorCode = "credential-process" // a credential_process failed
	CodeBase            ErrorCode = "base"               // base credentials unavailable
	CodeUnsupported     ErrorCode = "unsupported"        // a base awsmfa does not handle
	CodeCache           ErrorCode = "cache"              // the cache failed
)

// Error is a failure to get a profile's credentials, explained.
type Error struct {
	Code    ErrorCode
	Profile string
	// Op is what failed: "sts:GetSessionToken", "sts:AssumeRole",
	// "credential_process", "MFA code", ...
	Op   string
	Msg  string
	Hint string
	Err  error

	// failedAt and failedPID identify the attempt once it is recorded for
	// the runs waiting behind it (see recordFailure).
	failedAt  time.Time
	failedPID int
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Profile != "" {
		fmt.Fprintf(&b, "profile %q: ", e.Profile)
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCodeOf returns the code of a broker *Error in err's chain, "" when
// there is none.
func ErrorCodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// STS error messages that identify MFA failures
// (the messages STS returns in the field; the lab returns the same ones).
const (
	stsMsgInvalidCode = "invalid MFA one time pass code"
	stsMsgBadSerial   = "unable to validate MFA code"
	stsMsgSessionGST  = "Cannot call GetSessionToken with session credentials"
)

// stsCall describes an STS call for error messages.
type stsCall struct {
	op        string // "sts:GetSessionToken", "sts:AssumeRole"
	profile   string // the profile whose configuration made the call
	chain     *awsconfig.Chain
	keyID     string // access key that signed the request
	keyFrom   string // where that key comes from
	serial    string // MFA device sent with the call, "" if none
	serialAt  string // where the device is configured
	role      string // role ARN for AssumeRole
	roleAt    string
	mfaInCall bool // SerialNumber and TokenCode were sent
	// session says the caller was the MFA session.
	session bool
}

// explainSTS turns an STS client error into an *Error.
func explainSTS(c stsCall, err error) error {
	e := &Error{Profile: c.profile, Op: c.op, Err: err, Code: CodeSTS}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return explainTransport(c, err)
	}
	code, msg := ae.ErrorCode(), strings.TrimSpace(ae.ErrorMessage())
	switch {
	case code == "AccessDenied" && strings.Contains(msg, stsMsgInvalidCode):
		e.Code = CodeMFACodeRejected
		e.Msg = fmt.Sprintf("AWS refused the MFA code for %s: it was wrong or already used", c.serial)
		e.Hint = "wait for the next code (a code is accepted only once) and try again; if every code fails, check the device's clock"
	case code == "AccessDenied" && strings.Contains(msg, stsMsgBadSerial):
		e.Code = CodeMFASerial
		e.Msg = fmt.Sprintf("AWS could not validate the MFA code: the MFA device %s (%s) does not exist or is not associated with the user of access key %s", c.serial, c.serialAt, c.keyID)
		e.Hint = "set mfa_serial to the ARN shown by `aws iam list-mfa-devices` for that user"
	case code == "AccessDenied" && strings.Contains(msg, stsMsgSessionGST):
		e.Code = CodeSessionKeys
		e.Msg = fmt.Sprintf("the access key %s (%s) belongs to temporary credentials, and GetSessionToken needs an IAM user's long-term access keys", c.keyID, c.keyFrom)
		e.Hint = "use the user's long-term keys (AKIA...), or set awsmfa_mode = per-role"
	case code == "AccessDenied" && c.op == "sts:AssumeRole":
		e.Code = CodeAccessDenied
		e.Msg = fmt.Sprintf("AWS refused to let %s assume role %s (%s): %s", callerName(msg, c.keyID), c.role, c.roleAt, msg)
		switch {
		case !c.session && !c.mfaInCall:
			e.Hint = fmt.Sprintf("either the role's trust policy does not trust this caller, the caller's own policies do not allow sts:AssumeRole on the role, or the trust policy requires MFA: if it does, set mfa_serial in profile %q", c.profile)
		default:
			e.Hint = "the request carried MFA, so the role's trust policy does not trust this caller (check its Principal and Conditions, e.g. aws:MultiFactorAuthAge), or the caller's own policies do not allow sts:AssumeRole on the role"
		}
	case code == "AccessDenied":
		e.Code = CodeAccessDenied
		e.Msg = fmt.Sprintf("%s was refused: %s", c.op, msg)
	case code == "InvalidClientTokenId":
		e.Code = CodeUnknownKey
		e.Msg = fmt.Sprintf("AWS does not know the access key %s (%s), or it is inactive", c.keyID, c.keyFrom)
		e.Hint = "check aws_access_key_id, and whether the key was deleted or deactivated (aws iam list-access-keys)"
	case code == "SignatureDoesNotMatch" && isClockMessage(msg):
		e.Code = CodeClock
		e.Msg = fmt.Sprintf("AWS rejected the request's time: %s", msg)
		e.Hint = "this computer's clock is off; synchronise it (e.g. timedatectl set-ntp true)"
	case code == "SignatureDoesNotMatch":
		e.Code = CodeSignature
		e.Msg = fmt.Sprintf("the secret access key does not match access key %s (%s)", c.keyID, c.keyFrom)
		e.Hint = "check aws_secret_access_key"
	case code == "RequestExpired":
		e.Code = CodeClock
		e.Msg = fmt.Sprintf("AWS rejected the request's time: %s", msg)
		e.Hint = "this computer's clock is off; synchronise it"
	case code == "ExpiredToken":
		e.Code = CodeExpiredToken
		e.Msg = fmt.Sprintf("the session token of access key %s (%s) has expired", c.keyID, c.keyFrom)
		e.Hint = "get new temporary credentials for the source, or remove the expired aws_session_token"
	case code == "ValidationError":
		e.Code = CodeValidation
		e.Msg = fmt.Sprintf("%s refused a parameter: %s", c.op, msg)
	default:
		e.Msg = fmt.Sprintf("%s failed: %s: %s", c.op, code, msg)
	}
	return e
}

func isClockMessage(msg string) bool {
	return strings.Contains(msg, "Signature expired") || strings.Contains(msg, "Signature not yet current")
}

// callerName extracts "User: ARN" from an AccessDenied message.
func callerName(msg, keyID string) string {
	if i := strings.Index(msg, "User: "); i >= 0 {
		rest := msg[i+len("User: "):]
		if j := strings.IndexByte(rest, ' '); j > 0 {
			return rest[:j]
		}
	}
	return "access key " + keyID
}

// explainTransport explains a failure to talk to STS at all.
func explainTransport(c stsCall, err error) error {
	e := &Error{Profile: c.profile, Op: c.op, Err: err, Code: CodeUnreachable}
	endpoint, from := "the AWS STS endpoint", ""
	if c.chain != nil {
		if c.chain.STSEndpoint != "" {
			endpoint = c.chain.STSEndpoint
			from = c.chain.STSEndpointFrom
		} else {
			region := c.chain.Region
			if region == "" {
				region = defaultRegion
			}
			endpoint = fmt.Sprintf("https://sts.%s.amazonaws.com", region)
		}
	}
	where := endpoint
	if from != "" {
		where += " (configured by " + from + ")"
	}
	switch {
	case errors.Is(err, context.Canceled):
		e.Code, e.Msg = CodeUnreachable, c.op+" was cancelled"
		return e
	case errors.Is(err, context.DeadlineExceeded):
		e.Msg = fmt.Sprintf("cannot reach STS at %s: no answer in time", where)
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Msg = fmt.Sprintf("cannot reach STS at %s: connection refused (nothing listens there)", where)
	default:
		var dnsErr *net.DNSError
		var opErr *net.OpError
		var uErr *url.Error
		switch {
		case errors.As(err, &dnsErr):
			e.Msg = fmt.Sprintf("cannot reach STS at %s: the host name %s does not resolve", where, dnsErr.Name)
		case errors.As(err, &opErr):
			e.Msg = fmt.Sprintf("cannot reach STS at %s: %v", where, opErr.Err)
		case errors.As(err, &uErr):
			e.Msg = fmt.Sprintf("cannot reach STS at %s: %v", where, uErr.Err)
		default:
			e.Code = CodeSTS
			e.Msg = fmt.Sprintf("%s failed at %s: %v", c.op, where, err)
			return e
		}
	}
	e.Hint = "check the network, or the endpoint setting"
	return e
}
