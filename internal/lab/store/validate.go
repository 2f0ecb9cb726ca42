package store

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// IAM parameter constraints, from the IAM API model (botocore
// data/iam/2010-05-08/service-2.json): userNameType, groupNameType,
// roleNameType, policyNameType, pathType, virtualMFADeviceName, ...
var (
	reUserName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]+$`) })
	rePath     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`) })
	reRoleDesc = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{00A1}-\x{00FF}]*$`)
	})
	reSerial    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=/:,.@-]+$`) })
	reAuthCode  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\d]+$`) })
	reAccessKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w]+$`) })
	rePolicyArn = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^arn:aws:iam::(aws|\d{12}):policy(/|/[\x21-\x7E]+/)[\w+=,.@-]+$`)
	})
)

// constraint builds IAM's validation message: "1 validation error
// detected: Value 'x' at 'userName' failed to satisfy constraint: Member
// must ...".
func constraint(value, field, rule string) *Error {
	return errorf(CodeValidationError, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member %s", value, field, rule)
}

func missing(field string) *Error {
	return errorf(CodeValidationError, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
}

// checkName validates an entity name of at most max characters against
// IAM's [\w+=,.@-]+ pattern.
func checkName(value, field string, max int) error {
	if value == "" {
		return missing(field)
	}
	if n := utf8.RuneCountInString(value); n > max {
		return constraint(value, field, fmt.Sprintf("must have length less than or equal to %d", max))
	}
	if !reUserName().MatchString(value) {
		return constraint(value, field, `must satisfy regular expression pattern: [\w+=,.@-]+`)
	}
	return nil
}

// normPath defaults an empty path to "/" and validates it.
func normPath(p string) (string, error) {
	if p == "" {
		return "/", nil
	}
	if len(p) > 512 {
		return "", constraint(p, "path", "must have length less than or equal to 512")
	}
	if !rePath().MatchString(p) {
		return "", constraint(p, "path", `must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	}
	return p, nil
}

// CheckSerialNumber validates an MFA serial number as STS and IAM do.
func CheckSerialNumber(serial, field string) error {
	if serial == "" {
		return missing(field)
	}
	if n := len(serial); n < 9 {
		return constraint(serial, field, "must have length greater than or equal to 9")
	} else if n > 256 {
		return constraint(serial, field, "must have length less than or equal to 256")
	}
	if !reSerial().MatchString(serial) {
		return constraint(serial, field, `must satisfy regular expression pattern: [\w+=/:,.@-]+`)
	}
	return nil
}

// checkAuthCode validates an EnableMFADevice/ResyncMFADevice code.
func checkAuthCode(code, field string) error {
	if code == "" {
		return missing(field)
	}
	if len(code) != 6 {
		if len(code) < 6 {
			return constraint(code, field, "must have length greater than or equal to 6")
		}
		return constraint(code, field, "must have length less than or equal to 6")
	}
	if !reAuthCode().MatchString(code) {
		return constraint(code, field, `must satisfy regular expression pattern: [\d]+`)
	}
	return nil
}

// CheckPolicyARN validates a policy ARN parameter.
func CheckPolicyARN(arn string) error {
	if arn == "" {
		return missing("policyArn")
	}
	if len(arn) < 20 || len(arn) > 2048 {
		return constraint(arn, "policyArn", "must have length greater than or equal to 20")
	}
	if !rePolicyArn().MatchString(arn) {
		return errorf(CodeInvalidInput, "ARN %s is not valid.", arn)
	}
	return nil
}

// Policy size quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
// managed policy 6,144 characters, inline policies in aggregate 2,048 (user),
// 5,120 (group), 10,240 (role); whitespace does not count. The role trust
// policy counts 2,048 by default.
const (
	maxManagedPolicy = 6144
	maxUserInline    = 2048
	maxGroupInline   = 5120
	maxRoleInline    = 10240
	maxTrustPolicy   = 2048
)

// policySize counts the characters of a policy document that are not white
// space, as IAM's quotas do.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		switch r {
		case ' ', '\t', '\n', '\r':
		default:
			n++
		}
	}
	return n
}

// ParsePolicy validates a policy document of the given kind as IAM does on
// CreatePolicy, Put*Policy, CreateRole and AssumeRole's Policy parameter,
// answering MalformedPolicyDocument with a message naming the first
// problem. It returns the parsed document.
func ParsePolicy(doc string, kind policy.Kind) (*policy.Document, error) {
	if strings.TrimSpace(doc) == "" {
		return nil, errorf(CodeMalformedPolicyDocument, "Syntax errors in policy.")
	}
	if _, err := policy.ParseJSON("policy", []byte(doc)); err != nil {
		// IAM does not say where: "Syntax errors in policy."
		return nil, errorf(CodeMalformedPolicyDocument, "Syntax errors in policy.")
	}
	d, err := policy.ParseKind("policy", []byte(doc), kind)
	if err != nil {
		// The first problem, without the file:line:column prefix.
		msg := err.Error()
		var el policy.ErrorList
		if errors.As(err, &el) && len(el) > 0 {
			msg = el[0].Msg
		}
		return nil, errorf(CodeMalformedPolicyDocument, "%s", iamPolicyMessage(msg))
	}
	if len(d.Statements) == 0 {
		return nil, errorf(CodeMalformedPolicyDocument, "Policy statement must contain at least one statement.")
	}
	// What is stored must also be evaluable.
	if _, err := eval.Compile(d); err != nil {
		return nil, errorf(CodeMalformedPolicyDocument, "%s", err.Error())
	}
	return d, nil
}

// ValidateName checks an entity name parameter (userName, groupName,
// roleName, policyName, ...) as IAM does: present, at most max characters,
// matching [\w+=,.@-]+.
func ValidateName(value, field string, max int) error { return checkName(value, field, max) }

// NormalizePath defaults an empty path to "/" and validates it.
func NormalizePath(path string) (string, error) { return normPath(path) }

// iamMessages maps the policy builder's wording of a problem to the text IAM
// itself returns for it (MalformedPolicyDocument), where IAM's text is known;
// other problems keep the builder's more specific wording.
var iamMessages = []struct{ contains, iam string }{
	{"missing Resource or NotResource", "Policy statement must contain resources."},
	{"missing Action or NotAction", "Policy statement must contain actions."},
	{"missing Effect", "Missing required field Effect"},
	{"NotPrincipal is not allowed in", "Has prohibited field NotPrincipal"},
	{"Principal is not allowed in", "Has prohibited field Principal"},
	{"Resource is not allowed in a role trust policy", "Has prohibited field Resource"},
}

func iamPolicyMessage(msg string) string {
	for _, m := range iamMessages {
		if strings.Contains(msg, m.contains) {
			return m.iam
		}
	}
	return msg
}
