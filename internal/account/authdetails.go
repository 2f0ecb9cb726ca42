package account

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// MaxAuthorizationDetailsBytes is the largest get-account-authorization-details
// file LoadAuthorizationDetails reads. IAM allows 5,000 users, 300 groups,
// 1,000 roles (up to 5,000 on request) and 1,500 customer managed policies
// of five versions each per account
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html);
// the CLI's pretty-printed output of a large account is tens of megabytes.
// The limit leaves room for the largest with every quota raised and bounds
// memory: the loader keeps the file, one entity's tree at a time and the
// model.
const MaxAuthorizationDetailsBytes = 256 << 20

// maxLoadErrors is the most problems LoadAuthorizationDetails reports for
// one file before it gives up.
const maxLoadErrors = 20

// The top-level lists of get-account-authorization-details output.
const (
	listUsers    = "UserDetailList"
	listGroups   = "GroupDetailList"
	listRoles    = "RoleDetailList"
	listPolicies = "Policies"
)

// LoadAuthorizationDetails reads the output of `aws iam
// get-account-authorization-details` (file names it in messages; reading
// the file, and its size limit MaxAuthorizationDetailsBytes, is the
// caller's business, but data beyond the limit is refused here too).
//
// It accepts what the AWS CLI prints (every page merged into one object,
// policy documents as JSON objects, dates as 2019-12-18T19:10:08+00:00),
// what the IAM API returns and SDK results serialise to (documents
// URL-encoded as RFC 3986 strings, dates as 2019-12-18T19:10:08Z, with or
// without fractional seconds, or as seconds since 1970), and what tools
// re-serialise boto3 results to (2019-12-18 19:10:08+00:00,
// ResponseMetadata); also several pages, either concatenated one after the
// other or as a JSON list of page objects (the paths of pages after the
// first then start with their 0-based index: "[1].UserDetailList[0]"), and
// a page wrapped in GetAccountAuthorizationDetailsResponse and
// GetAccountAuthorizationDetailsResult.
//
// Every policy document becomes a *Document with the file, its JSON path
// ("UserDetailList[3].UserPolicyList[0].PolicyDocument") and the line where
// it starts; positions inside a URL-encoded document are the position of
// the string. A managed policy's document is its default version's. The
// account ID and partition come from the ARNs.
//
// Errors are a policy.ErrorList (at most 20 problems), each naming the
// file, line, column and JSON path: invalid JSON, a value of the wrong
// type, a missing name or ARN, entities of two accounts, an entity listed
// twice, a user in a group or a policy attached that the file does not
// list (the file was made with --filter), or a file that holds only the
// first page of a truncated answer (IsTruncated, NextToken). An error that
// IsLimit (policy.IsLimit) means the input broke a limit that bounds time
// and memory.
func LoadAuthorizationDetails(file string, data []byte) (*Account, error) {
	return loadLimited(file, data, MaxAuthorizationDetailsBytes)
}

// loadLimited is LoadAuthorizationDetails with a size limit of max bytes.
func loadLimited(file string, data []byte, max int) (acct *Account, err error) {
	defer func() {
		if r := recover(); r != nil {
			acct = nil
			err = policy.ErrorList{{File: file, Msg: fmt.Sprintf("internal error reading authorization details: %v", r)}}
		}
	}()
	if len(data) > max {
		return nil, policy.ErrorList{{File: file, Limit: true, Msg: fmt.Sprintf(
			"file is %d bytes, more than the %d MiB limit for get-account-authorization-details output", len(data), max>>20)}}
	}
	l := newLoader(file, data)
	if err := l.pages(); err != nil {
		return nil, err
	}
	if len(l.errs) == 0 {
		l.link()
	}
	if len(l.errs) > 0 {
		return nil, l.errs
	}
	l.finish()
	return l.acct, nil
}

// errTooMany stops reading once maxLoadErrors problems were found.
var errTooMany = errors.New("too many errors")

// loader reads one file into an Account.
type loader struct {
	file string
	s    *scanner
	acct *Account
	errs policy.ErrorList

	// sawList is set once a page held one of the four lists.
	sawList bool
	// truncated is where the current top-level page said it is not the
	// last one, or nil.
	truncated *at

	// Where each entity was read, to report duplicates and dangling
	// references.
	users, groups, roles, policies map[string]at
	refs                           []reference
	// accountAt is where the account ID was first read.
	accountAt at
}

// at is a place in the file: a position and a JSON path.
type at struct {
	pos  policy.Pos
	path string
}

// reference is a name one entity uses for another: a user's group, an
// attached policy, a permissions boundary.
type reference struct {
	group bool // a group name; otherwise a managed policy ARN
	name  string
	at    at
}

func newLoader(file string, data []byte) *loader {
	return &loader{
		file:     file,
		s:        newScanner(file, data),
		acct:     &Account{Source: file},
		users:    map[string]at{},
		groups:   map[string]at{},
		roles:    map[string]at{},
		policies: map[string]at{},
	}
}

// problem records an error about the value at a, unless there are too
// many already.
func (l *loader) problem(a at, format string, args ...any) {
	if len(l.errs) >= maxLoadErrors {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if a.path != "" {
		msg = a.path + ": " + msg
	}
	l.errs = append(l.errs, &policy.Error{File: l.file, Pos: a.pos, Msg: msg})
	if len(l.errs) == maxLoadErrors {
		l.errs = append(l.errs, &policy.Error{File: l.file, Msg: fmt.Sprintf("stopped after %d errors", maxLoadErrors)})
	}
}

func (l *loader) full() bool { return len(l.errs) >= maxLoadErrors }

// pages reads the top-level value: one page object, pages concatenated,
// or a list of pages. JSON syntax errors end the reading (returned);
// problems in well-formed entities are collected in l.errs.
func (l *loader) pages() error {
	s := l.s
	s.skipSpace()
	var err error
	switch s.peek() {
	case '{':
		err = l.objectStream()
	case '[':
		err = l.pageList()
	default:
		if s.eof() {
			return s.errorf(s.pos(), "empty file: expected the JSON output of aws iam get-account-authorization-details")
		}
		return s.errorf(s.pos(), "expected a JSON object (the output of aws iam get-account-authorization-details), found %s", s.describe())
	}
	if errors.Is(err, errTooMany) {
		return l.errs
	}
	if err != nil {
		return err
	}
	if !l.sawList {
		return policy.ErrorList{{File: l.file, Pos: policy.Pos{Line: 1, Column: 1}, Msg: "no UserDetailList, GroupDetailList, RoleDetailList or Policies: " +
			"this is not the output of aws iam get-account-authorization-details"}}
	}
	if t := l.truncated; t != nil {
		return policy.ErrorList{{File: l.file, Pos: t.pos, Msg: t.path + ": the file holds one page of a longer answer, " +
			"so the account's other users, groups, roles and policies are missing: run aws iam get-account-authorization-details " +
			"without --max-items, --page-size or --no-paginate (the AWS CLI then reads every page and prints them as one), " +
			"or give every page, concatenated or as a JSON list"}}
	}
	return nil
}

// objectStream reads one page object or several written one after the
// other.
func (l *loader) objectStream() error {
	s := l.s
	for n := 0; ; n++ {
		prefix := ""
		if n > 0 {
			prefix = "[" + strconv.Itoa(n) + "]."
		}
		l.truncated = nil
		if err := l.page(prefix, 0); err != nil {
			return err
		}
		s.skipSpace()
		if s.eof() {
			return nil
		}
		if s.peek() != '{' {
			return s.errorf(s.pos(), "invalid JSON: unexpected %s after the top-level object", s.describe())
		}
	}
}

// pageList reads a JSON list of page objects.
func (l *loader) pageList() error {
	s := l.s
	s.i++
	s.skipSpace()
	if s.peek() == ']' {
		return s.errorf(s.pos(), "empty list: expected the pages of aws iam get-account-authorization-details output")
	}
	for n := 0; ; n++ {
		l.truncated = nil
		if err := l.page("["+strconv.Itoa(n)+"].", 0); err != nil {
			return err
		}
		s.skipSpace()
		if s.peek() == ',' && !s.eof() {
			s.i++
			s.skipSpace()
			continue
		}
		if err := s.expect(']', "',' or ']' after a page"); err != nil {
			return err
		}
		s.skipSpace()
		if !s.eof() {
			return s.errorf(s.pos(), "invalid JSON: unexpected %s after the top-level list", s.describe())
		}
		return nil
	}
}

// wrapperKeys are the members the JSON form of the IAM query API wraps a
// result in.
var wrapperKeys = map[string]bool{
	"GetAccountAuthorizationDetailsResponse": true,
	"GetAccountAuthorizationDetailsResult":   true,
}

// page reads one page object. depth counts the wrappers it is in.
func (l *loader) page(prefix string, depth int) error {
	s := l.s
	if s.peek() != '{' || s.eof() {
		return s.errorf(s.pos(), "expected a page object (the output of aws iam get-account-authorization-details), found %s", s.describe())
	}
	s.i++
	s.skipSpace()
	if s.peek() == '}' && !s.eof() {
		s.i++
		return nil
	}
	seen := map[string]policy.Pos{}
	for {
		k, kp, err := s.key()
		if err != nil {
			return err
		}
		if first, dup := seen[k]; dup {
			return s.errorf(kp, "duplicate key %q (first at %s)", k, first)
		}
		seen[k] = kp
		if err := l.member(prefix, depth, k); err != nil {
			return err
		}
		s.skipSpace()
		if s.peek() == ',' && !s.eof() {
			s.i++
			s.skipSpace()
			continue
		}
		return s.expect('}', "',' or '}' after a member of the page")
	}
}

// member reads the value of the page member named k.
func (l *loader) member(prefix string, depth int, k string) error {
	s := l.s
	path := prefix + k
	switch {
	case k == listUsers || k == listGroups || k == listRoles || k == listPolicies:
		l.sawList = true
		return l.list(path, k)
	case wrapperKeys[k] && depth < 2 && s.peek() == '{':
		return l.page(path+".", depth+1)
	}
	base := s.pos()
	v, err := s.skipValue()
	if err != nil {
		return err
	}
	n, err := policy.ParseJSON(l.file, v)
	if err != nil {
		return shiftErrors(err, base)
	}
	switch k {
	case "IsTruncated":
		if n.Kind == policy.NodeBool && n.Str == "true" {
			l.truncated = &at{pos: base, path: path}
		}
	case "NextToken":
		if n.Kind == policy.NodeString && n.Str != "" {
			l.truncated = &at{pos: base, path: path}
		}
	}
	return nil
}

// list reads one of the four entity lists.
func (l *loader) list(path, key string) error {
	s := l.s
	if s.peek() != '[' || s.eof() {
		base := s.pos()
		v, err := s.skipValue()
		if err != nil {
			return err
		}
		n, err := policy.ParseJSON(l.file, v)
		if err != nil {
			return shiftErrors(err, base)
		}
		if n.Kind == policy.NodeNull {
			return nil
		}
		l.problem(at{base, path}, "must be a list, not %s", article(n.Kind))
		return nil
	}
	s.i++
	s.skipSpace()
	if s.peek() == ']' && !s.eof() {
		s.i++
		return nil
	}
	for i := 0; ; i++ {
		base := s.pos()
		v, err := s.skipValue()
		if err != nil {
			return err
		}
		if err := l.entity(key, path+"["+strconv.Itoa(i)+"]", v, base); err != nil {
			return err
		}
		if l.full() {
			return errTooMany
		}
		s.skipSpace()
		if s.peek() == ',' && !s.eof() {
			s.i++
			s.skipSpace()
			continue
		}
		return s.expect(']', "',' or ']' after an entry of "+key)
	}
}

// entity parses one entry of an entity list and reads it into the model.
func (l *loader) entity(key, path string, v []byte, base policy.Pos) error {
	n, err := policy.ParseJSON(l.file, v)
	if err != nil {
		return shiftErrors(err, base)
	}
	e := &elem{l: l, data: v, base: base}
	if n.Kind != policy.NodeObject {
		l.problem(e.at(n, path), "must be an object, not %s", article(n.Kind))
		return nil
	}
	switch key {
	case listUsers:
		l.user(e, n, path)
	case listGroups:
		l.group(e, n, path)
	case listRoles:
		l.role(e, n, path)
	case listPolicies:
		l.managedPolicy(e, n, path)
	}
	return nil
}

// shiftErrors moves the positions of a policy.ParseJSON error on a value
// that starts at base in the file to the file.
func shiftErrors(err error, base policy.Pos) error {
	var list policy.ErrorList
	if !errors.As(err, &list) {
		return err
	}
	out := make(policy.ErrorList, len(list))
	for i, e := range list {
		c := *e
		c.Pos = shift(e.Pos, base)
		out[i] = &c
	}
	return out
}

// shift converts a position in a value that starts at base to a position
// in the file.
func shift(p, base policy.Pos) policy.Pos {
	if !p.IsValid() {
		return p
	}
	if p.Line == 1 {
		return policy.Pos{Line: base.Line, Column: base.Column + p.Column - 1}
	}
	return policy.Pos{Line: base.Line + p.Line - 1, Column: p.Column}
}

// article names a JSON type with its article, for messages.
func article(k policy.NodeKind) string {
	switch k {
	case policy.NodeObject:
		return "an object"
	case policy.NodeArray:
		return "a list"
	case policy.NodeNull:
		return "null"
	}
	return "a " + k.String()
}
