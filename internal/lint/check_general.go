package lint

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/awsmfa/awsmfa/internal/policy"
	"github.com/awsmfa/awsmfa/internal/policysource"
)

// keyType is the type of a global condition key
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
type keyType int

const (
	typeUnknown keyType = iota
	typeBool
	typeNumeric
	typeDate
	typeNumericOrDate
)

var globalKeyTypes = sync.OnceValue(func() map[string]keyType {
	return map[string]keyType{
		"aws:multifactorauthpresent": typeBool,
		"aws:securetransport":        typeBool,
		"aws:viaawsservice":          typeBool,
		"aws:principalisawsservice":  typeBool,
		"aws:multifactorauthage":     typeNumeric,
		"aws:currenttime":            typeDate,
		"aws:tokenissuetime":         typeDate,
		"aws:epochtime":              typeNumericOrDate,
	}
})

// singleValuedKeys are global keys that hold at most one value; the set
// operators are meant for multivalued keys
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
var singleValuedKeys = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"aws:multifactorauthpresent": true, "aws:multifactorauthage": true, "aws:securetransport": true,
		"aws:viaawsservice": true, "aws:principalisawsservice": true, "aws:principaltype": true,
		"aws:principalarn": true, "aws:principalaccount": true, "aws:principalorgid": true,
		"aws:sourceip": true, "aws:sourcevpc": true, "aws:sourcevpce": true, "aws:vpcsourceip": true,
		"aws:currenttime": true, "aws:epochtime": true, "aws:tokenissuetime": true,
		"aws:userid": true, "aws:username": true, "aws:sourceaccount": true, "aws:sourcearn": true,
		"aws:sourceorgid": true, "aws:requestedregion": true, "aws:useragent": true, "aws:referer": true,
		"aws:calledviafirst": true, "aws:calledvialast": true, "aws:federatedprovider": true,
		"aws:sourceidentity": true, "aws:resourceaccount": true, "aws:resourceorgid": true,
	}
})

var singleValuedPrefixes = []string{"aws:requesttag/", "aws:resourcetag/", "aws:principaltag/"}

func isSingleValued(key string) bool {
	k := strings.ToLower(key)
	if singleValuedKeys()[k] {
		return true
	}
	for _, p := range singleValuedPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// operatorFamily groups base operators by the type they compare.
func operatorFamily(base string) string {
	switch {
	case base == "Bool", base == "Null", base == "BinaryEquals":
		return base
	case strings.HasPrefix(base, "String"):
		return "String"
	case strings.HasPrefix(base, "Numeric"):
		return "Numeric"
	case strings.HasPrefix(base, "Date"):
		return "Date"
	case strings.HasPrefix(base, "Arn"):
		return "Arn"
	case strings.Contains(base, "IpAddress"):
		return "IpAddress"
	}
	return base
}

var decimalRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`) })

func (l *linter) checkConditionTypes() {
	for _, s := range l.doc.Statements {
		if s == nil {
			continue
		}
		for i := range s.Conditions {
			c := &s.Conditions[i]
			if !c.Op.IsValid() {
				continue
			}
			l.checkSetOperator(s, c)
			l.checkValues(s, c)
			l.checkOperatorKeyType(s, c)
		}
	}
}

func (l *linter) checkSetOperator(s *policy.Statement, c *policy.Condition) {
	if c.Op.Set == policy.SetNone || c.Op.Base == "Null" {
		return
	}
	plain := policy.Operator{Base: c.Op.Base, IfExists: c.Op.IfExists}.String()
	if isMFAKey(c.Key) {
		what := "is true when the key is absent (an empty set satisfies \"for all\"), so an Allow with it admits requests signed with long-term access keys"
		if c.Op.Set == policy.ForAnyValue {
			what = "is false when the key is absent, so a Deny with it does not deny requests signed with long-term access keys"
		}
		l.report(RuleMFASetOperator, 0, c.OperatorPos, s,
			fmt.Sprintf("%s holds a single value; %q %s.", c.Key, c.Operator, what),
			fmt.Sprintf(`Drop the %s: qualifier: in a Deny use {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, in an Allow {"Bool": {"aws:MultiFactorAuthPresent": "true"}} (here: %q).`, c.Op.Set, plain))
		return
	}
	if isSingleValued(c.Key) {
		l.report(RuleSetOperatorSingleValued, 0, c.OperatorPos, s,
			fmt.Sprintf("%s is a single-valued key, but %q uses the set qualifier %s, meant for multivalued keys: %s.", c.Key, c.Operator, c.Op.Set, setOnSingleValue(c.Op, plain)),
			fmt.Sprintf("Use %q.", plain))
	}
}

// setOnSingleValue says what a set qualifier does to a single-valued key
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):
// ForAllValues is true when the key is absent (an empty set satisfies "for
// all"); ForAnyValue is false then, while a negated plain operator
// (StringNotEquals...) is true for an absent key
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
func setOnSingleValue(op policy.Operator, plain string) string {
	if op.Set == policy.ForAllValues {
		return fmt.Sprintf("ForAllValues also matches when the key is absent (an empty set satisfies \"for all\"), which %q does not", plain)
	}
	if strings.Contains(op.Base, "Not") && !op.IfExists {
		return fmt.Sprintf("ForAnyValue does not match when the key is absent, while %q does", plain)
	}
	return fmt.Sprintf("ForAnyValue behaves as %q here, so the qualifier only misleads readers", plain)
}

func (l *linter) checkValues(s *policy.Statement, c *policy.Condition) {
	for _, v := range c.Values {
		if policysource.IsPlaceholder(v.Raw) || strings.Contains(v.Raw, "${") {
			continue
		}
		pos := v.Pos
		if !pos.IsValid() {
			pos = c.KeyPos
		}
		switch operatorFamily(c.Op.Base) {
		case "Bool":
			if v.Kind == policy.KindNumber || !isBoolText(v.Raw) {
				l.report(RuleConditionValue, 0, pos, s,
					fmt.Sprintf("%s %s: %s is not a boolean, so the condition never matches (Bool compares with \"true\" or \"false\").", c.Operator, c.Key, valueText(v)),
					fmt.Sprintf(`Write "true" or "false": {%s: {%s: %s}}.`, quoteJSON(c.Operator), quoteJSON(c.Key), suggestBool(v.Raw)))
			}
		case "Null":
			if v.Kind == policy.KindNumber || !isBoolText(v.Raw) {
				l.report(RuleConditionValue, 0, pos, s,
					fmt.Sprintf("Null %s: %s is not \"true\" (the key is absent) or \"false\" (the key is present).", c.Key, valueText(v)),
					fmt.Sprintf(`Write {"Null": {%s: "true"}} to test that the key is absent, or "false" to test that it is present.`, quoteJSON(c.Key)))
			}
		case "Numeric":
			if !decimalRe().MatchString(v.Raw) {
				l.report(RuleConditionValue, 0, pos, s,
					fmt.Sprintf("%s %s: %s is not a number, so the condition never matches.", c.Operator, c.Key, valueText(v)),
					fmt.Sprintf("Write a plain decimal number such as %q (seconds, for aws:MultiFactorAuthAge).", suggestNumber(v.Raw)))
			}
		}
	}
}

func isBoolText(s string) bool { return strings.EqualFold(s, "true") || strings.EqualFold(s, "false") }

func valueText(v policy.Value) string {
	if v.Kind == policy.KindString {
		return quoteJSON(v.Raw)
	}
	return v.Raw
}

func suggestBool(raw string) string {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "yes", "y", "on", "1", "true":
		return `"true"`
	case "no", "n", "off", "0", "false":
		return `"false"`
	}
	return `"true"`
}

func suggestNumber(raw string) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, raw)
	if digits == "" {
		return "3600"
	}
	return digits
}

func (l *linter) checkOperatorKeyType(s *policy.Statement, c *policy.Condition) {
	t := globalKeyTypes()[strings.ToLower(c.Key)]
	if t == typeUnknown {
		return
	}
	fam := operatorFamily(c.Op.Base)
	if fam == "Null" {
		return
	}
	var want string
	ok := true
	switch t {
	case typeBool:
		want, ok = "Bool", fam == "Bool"
	case typeNumeric:
		want, ok = "a Numeric operator", fam == "Numeric"
	case typeDate:
		want, ok = "a Date operator", fam == "Date"
	case typeNumericOrDate:
		want, ok = "a Numeric or Date operator", fam == "Numeric" || fam == "Date"
	}
	if ok {
		return
	}
	sev := SeverityError
	msg := fmt.Sprintf("%s is a %s key, but %q compares %s values: the condition never matches.", c.Key, typeName(t), c.Operator, strings.ToLower(fam))
	if fam == "String" {
		sev = SeverityWarning
		msg = fmt.Sprintf("%s is a %s key, but %q compares strings: it works only for the exact text AWS puts in the request", c.Key, typeName(t), c.Operator)
		if strings.EqualFold(c.Key, keyMFAPresent) {
			msg += ", and it does not match when the key is absent (requests signed with long-term access keys)."
		} else {
			msg += "."
		}
	}
	fix := fmt.Sprintf("Use %s.", want)
	switch t {
	case typeBool:
		if strings.EqualFold(c.Key, keyMFAPresent) {
			fix = `Use Bool: {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}} in a Deny, {"Bool": {"aws:MultiFactorAuthPresent": "true"}} in an Allow.`
		} else {
			fix = fmt.Sprintf(`Use Bool: {"Bool": {%s: "true"}}.`, quoteJSON(c.Key))
		}
	case typeNumeric:
		fix = fmt.Sprintf(`Use a Numeric operator: {"NumericLessThan": {%s: "3600"}} in an Allow, {"NumericGreaterThanIfExists": {%s: "3600"}} in a Deny.`, quoteJSON(c.Key), quoteJSON(c.Key))
	}
	l.report(RuleConditionOperatorKeyType, sev, c.OperatorPos, s, msg, fix)
}

func typeName(t keyType) string {
	switch t {
	case typeBool:
		return "boolean"
	case typeNumeric:
		return "numeric"
	case typeDate:
		return "date"
	case typeNumericOrDate:
		return "numeric (epoch) or date"
	}
	return "typed"
}

// hasVariable reports whether s holds a policy variable such as
// ${aws:username} (and not a CloudFormation placeholder).
func hasVariable(s string) bool {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return false
		}
		rest := s[i:]
		if !strings.HasPrefix(rest, "${Ref:") && !strings.HasPrefix(rest, "${Fn::") {
			if j := strings.IndexByte(rest, '}'); j > 2 {
				return true
			}
		}
		s = rest[2:]
	}
}

func (l *linter) checkVersion() {
	d := l.doc
	if d.Version == policy.Version2012 {
		return
	}
	// Where is the first policy variable?
	var varPos policy.Pos
	var varText string
	var varStmt *policy.Statement
	for _, s := range d.Statements {
		if s == nil || varPos.IsValid() {
			continue
		}
		for _, list := range []*policy.StringList{&s.Resource, &s.NotResource} {
			for i, v := range list.Values {
				if !varPos.IsValid() && hasVariable(v) {
					varPos, varText, varStmt = list.Pos, v, s
					if i < len(list.ValuePos) {
						varPos = list.ValuePos[i]
					}
				}
			}
		}
		for _, c := range s.Conditions {
			for _, v := range c.Values {
				if !varPos.IsValid() && hasVariable(v.Raw) {
					varPos, varText, varStmt = v.Pos, v.Raw, s
				}
			}
		}
	}
	switch {
	case varPos.IsValid():
		what := "has no Version element"
		pos := d.Pos
		if d.Version != "" {
			what, pos = fmt.Sprintf("has Version %q", d.Version), d.VersionPos
		}
		l.report(RuleVariablesWithoutVersion, 0, pos, nil,
			fmt.Sprintf("The policy %s, so policy variables are not replaced: %q (statement %s) is compared as literal text and never matches what it is meant to.", what, varText, varStmt.Label()),
			`Add "Version": "2012-10-17" as the first element of the policy.`)
	case d.Version == "":
		l.report(RuleVersionMissing, 0, d.Pos, nil,
			"The policy has no Version element, so IAM reads it with the 2008-10-17 policy language, in which policy variables such as ${aws:username} are not replaced.",
			`Add "Version": "2012-10-17" as the first element of the policy.`)
	}
}

// validAction reports whether a is service:action: a service prefix of
// letters, digits and hyphens, and an action name of letters, digits,
// wildcards and the few punctuation marks some services use.
func validAction(a string) bool {
	prefix, name, ok := strings.Cut(a, ":")
	if !ok || !validServicePrefix(prefix) || name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(isAlnum(c) || c == '*' || c == '?' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func validServicePrefix(p string) bool {
	if p == "" || !isAlnum(p[0]) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if !isAlnum(p[i]) && p[i] != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (l *linter) checkActionsAndResources() {
	for _, s := range l.doc.Statements {
		if s == nil {
			continue
		}
		for _, list := range []struct {
			name string
			sl   *policy.StringList
		}{{"Action", &s.Action}, {"NotAction", &s.NotAction}} {
			for i, a := range list.sl.Values {
				if a == "*" || policysource.IsPlaceholder(a) || validAction(a) {
					continue
				}
				if msg, fix, ok := actionNeverMatches(list.name, a, s.Effect); ok {
					l.report(RuleActionNeverMatches, 0, valuePos(list.sl, i), s, msg, fix)
					continue
				}
				msg, fix := actionProblem(list.name, a)
				l.report(RuleActionInvalid, 0, valuePos(list.sl, i), s, msg, fix)
			}
		}
		for _, list := range []struct {
			name string
			sl   *policy.StringList
		}{{"Resource", &s.Resource}, {"NotResource", &s.NotResource}} {
			for i, r := range list.sl.Values {
				if msg, fix, bad := resourceProblem(list.name, r); bad {
					l.report(RuleResourceInvalid, 0, valuePos(list.sl, i), s, msg, fix)
				}
			}
		}
	}
}

func valuePos(sl *policy.StringList, i int) policy.Pos {
	if i < len(sl.ValuePos) && sl.ValuePos[i].IsValid() {
		return sl.ValuePos[i]
	}
	return sl.Pos
}

// actionNeverMatches reports an action that IAM accepts and stores but that
// matches no request: one with white space in it, or with nothing after
// the colon ("s3:"), or the empty string. Such an action is a silent hole
// in a Deny (NotAction: denies every action) and grants nothing in an
// Allow.
func actionNeverMatches(elem, a string, effect policy.Effect) (msg, fix string, ok bool) {
	prefix, name, hasColon := strings.Cut(a, ":")
	var what, suggestion string
	switch {
	case a == "" || strings.TrimSpace(a) == "":
		what = "is empty"
		suggestion = `Remove it, or write the action, such as "iam:EnableMFADevice".`
	case strings.IndexFunc(a, unicode.IsSpace) >= 0:
		what = "contains white space"
		fixed := strings.Join(strings.Fields(a), "")
		suggestion = fmt.Sprintf("Write %q.", fixed)
		if strings.TrimSpace(a) != a && !strings.ContainsFunc(strings.TrimSpace(a), unicode.IsSpace) {
			what = "has leading or trailing white space"
		}
	case hasColon && name == "" && validServicePrefix(prefix):
		what = "has an empty action name"
		suggestion = fmt.Sprintf("Name the action, or write %q for all of the service's actions.", prefix+":*")
	default:
		return "", "", false
	}
	effectNote := "an Allow grants nothing with it"
	if effect == policy.Deny {
		effectNote = "a Deny denies nothing with it"
	}
	if elem == "NotAction" {
		effectNote = "as NotAction it excludes nothing, so the statement applies to every action"
	}
	return fmt.Sprintf("%s %q %s: AWS accepts and stores it, but it never matches an action (%s).", elem, a, what, effectNote), suggestion, true
}

func actionProblem(elem, a string) (string, string) {
	prefix, name, ok := strings.Cut(a, ":")
	switch {
	case !ok:
		return fmt.Sprintf("%s %q has no service prefix: actions are written service:action.", elem, a),
			fmt.Sprintf("Write the service prefix, such as %q.", "iam:"+a)
	case prefix == "" || !validServicePrefix(prefix):
		return fmt.Sprintf("%s %q: %q is not a service prefix (letters, digits and hyphens).", elem, a, prefix),
			"Write the action as service:action, such as \"iam:EnableMFADevice\"."
	case name == "":
		return fmt.Sprintf("%s %q has no action name after the colon.", elem, a),
			fmt.Sprintf("Name the action, or write %q for all of the service's actions.", prefix+":*")
	}
	return fmt.Sprintf("%s %q is not a valid action name: only letters, digits and the wildcards * and ? may follow the service prefix.", elem, a),
		"Write the action as service:action, such as \"iam:EnableMFADevice\"."
}

func resourceProblem(elem, r string) (string, string, bool) {
	if r == "*" || policysource.IsPlaceholder(r) {
		return "", "", false
	}
	if strings.TrimSpace(r) != r {
		return fmt.Sprintf("%s %q has leading or trailing spaces, so it matches no ARN.", elem, r), fmt.Sprintf("Write %q.", strings.TrimSpace(r)), true
	}
	if !strings.HasPrefix(strings.ToLower(r), "arn:") {
		return fmt.Sprintf("%s %q is neither \"*\" nor an ARN.", elem, r),
			"Write an ARN such as \"arn:aws:s3:::my-bucket/*\" or \"arn:aws:iam::*:user/${aws:username}\", or \"*\".", true
	}
	if parts := strings.SplitN(r, ":", 6); len(parts) < 6 && !strings.Contains(r, "*") {
		return fmt.Sprintf("%s %q is not a complete ARN: an ARN has six parts, arn:partition:service:region:account:resource (region and account may be empty).", elem, r),
			"Write all six parts, such as \"arn:aws:iam::123456789012:user/alice\" or \"arn:aws:s3:::my-bucket\".", true
	}
	return "", "", false
}
