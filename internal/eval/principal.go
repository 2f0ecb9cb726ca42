package eval

import (
	"strings"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// PrincipalKind classifies the caller of a request.
type PrincipalKind int

const (
	// PrincipalUnknown is a string that is none of the forms below; it
	// matches only Principal values equal to it.
	PrincipalUnknown PrincipalKind = iota
	// PrincipalAnonymous is an unauthenticated caller ("", "*" or
	// "anonymous").
	PrincipalAnonymous
	// PrincipalRoot is the account root user, arn:aws:iam::111122223333:root.
	PrincipalRoot
	// PrincipalUser is an IAM user, arn:aws:iam::111122223333:user/path/name.
	PrincipalUser
	// PrincipalRole is a role ARN used as the caller. AWS requests come from
	// role sessions; a role ARN is accepted and treated as a session of that
	// role whose session name is unknown.
	PrincipalRole
	// PrincipalRoleSession is an assumed-role session,
	// arn:aws:sts::111122223333:assumed-role/role-name/session-name.
	PrincipalRoleSession
	// PrincipalFederatedUser is a GetFederationToken session,
	// arn:aws:sts::111122223333:federated-user/name.
	PrincipalFederatedUser
	// PrincipalService is an AWS service principal such as
	// "s3.amazonaws.com".
	PrincipalService
	// PrincipalFederatedProvider is an identity provider calling
	// AssumeRoleWithSAML/WebIdentity: a saml-provider or oidc-provider ARN, or
	// a provider name such as "accounts.google.com".
	PrincipalFederatedProvider
	// PrincipalCanonicalUser is an S3 canonical user ID (64 hex digits).
	PrincipalCanonicalUser
)

var principalKindNames = [...]string{"unknown", "anonymous", "root", "IAM user", "role", "role session", "federated user", "service principal", "identity provider", "canonical user"}

func (k PrincipalKind) String() string {
	if k >= 0 && int(k) < len(principalKindNames) {
		return principalKindNames[k]
	}
	return "unknown"
}

// Principal is a parsed request principal.
type Principal struct {
	Kind PrincipalKind
	// Raw is the principal as given.
	Raw       string
	Partition string
	Account   string
	// Name is the user name, role name or federated user name (without
	// path).
	Name string
	// Session is the role session name of a role session.
	Session string
}

// ParsePrincipal classifies a request principal. It never fails: strings it
// does not recognise are PrincipalUnknown.
func ParsePrincipal(s string) Principal {
	p := Principal{Raw: s}
	switch s {
	case "", "*", "anonymous":
		p.Kind = PrincipalAnonymous
		return p
	}
	if a, ok := splitARN(s); ok {
		p.Partition, p.Account = a.partition, a.account
		switch {
		case a.service == "iam" && a.resource == "root":
			p.Kind = PrincipalRoot
		case a.service == "iam" && strings.HasPrefix(a.resource, "user/"):
			p.Kind = PrincipalUser
			p.Name = lastPathElem(a.resource)
		case a.service == "iam" && strings.HasPrefix(a.resource, "role/"):
			p.Kind = PrincipalRole
			p.Name = lastPathElem(a.resource)
		case a.service == "sts" && strings.HasPrefix(a.resource, "assumed-role/"):
			rest := a.resource[len("assumed-role/"):]
			if i := strings.IndexByte(rest, '/'); i > 0 && i < len(rest)-1 {
				p.Kind = PrincipalRoleSession
				p.Name, p.Session = rest[:i], rest[i+1:]
			}
		case a.service == "sts" && strings.HasPrefix(a.resource, "federated-user/"):
			p.Kind = PrincipalFederatedUser
			p.Name = a.resource[len("federated-user/"):]
		case a.service == "iam" && (strings.HasPrefix(a.resource, "saml-provider/") || strings.HasPrefix(a.resource, "oidc-provider/")):
			p.Kind = PrincipalFederatedProvider
		}
		return p
	}
	if isCanonicalUser(s) {
		p.Kind = PrincipalCanonicalUser
		return p
	}
	if strings.Contains(s, ".") && !strings.ContainsAny(s, ":/ ") {
		// A host name: an AWS service principal ("s3.amazonaws.com",
		// "elasticmapreduce.amazonaws.com.cn") or a web identity provider
		// ("accounts.google.com", "cognito-identity.amazonaws.com"). Both
		// are matched by string against Service and Federated values.
		if strings.HasSuffix(s, ".amazonaws.com") || strings.HasSuffix(s, ".amazonaws.com.cn") || strings.HasSuffix(s, ".amazon.com") {
			if s == "cognito-identity.amazonaws.com" || s == "www.amazon.com" {
				p.Kind = PrincipalFederatedProvider
			} else {
				p.Kind = PrincipalService
			}
		} else {
			p.Kind = PrincipalFederatedProvider
		}
	}
	return p
}

// IsIAM reports whether the principal is an IAM identity of an account
// (root, user, role, role session or federated user): the principals that
// identity-based policies, permissions boundaries and SCPs apply to.
func (p *Principal) IsIAM() bool {
	switch p.Kind {
	case PrincipalRoot, PrincipalUser, PrincipalRole, PrincipalRoleSession, PrincipalFederatedUser:
		return true
	}
	return false
}

// IsSession reports whether the principal is a session principal (role
// session, or federated user), to which session policies apply.
func (p *Principal) IsSession() bool {
	return p.Kind == PrincipalRoleSession || p.Kind == PrincipalFederatedUser || p.Kind == PrincipalRole
}

type arnParts struct {
	partition, service, region, account, resource string
}

// splitARN splits "arn:partition:service:region:account:resource"; the
// resource keeps any further colons.
func splitARN(s string) (arnParts, bool) {
	var a arnParts
	if !strings.HasPrefix(s, "arn:") {
		return a, false
	}
	rest := s[4:]
	var parts [4]string
	for i := 0; i < 4; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return a, false
		}
		parts[i] = rest[:j]
		rest = rest[j+1:]
	}
	a.partition, a.service, a.region, a.account, a.resource = parts[0], parts[1], parts[2], parts[3], rest
	return a, true
}

func lastPathElem(resource string) string {
	if i := strings.LastIndexByte(resource, '/'); i >= 0 {
		return resource[i+1:]
	}
	return resource
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isCanonicalUser(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Strength is how a resource-based policy statement names the caller. It
// decides which implicit denies the statement's Allow overrides
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html):
//
//   - StrengthDirect: the statement names the caller itself (IAM user ARN,
//     role session ARN, federated user ARN, a service or provider, or "*").
//     Within one account such an Allow is not limited by an implicit deny in
//     identity-based policies, permissions boundaries or session policies.
//   - StrengthRole: the statement names the role of a role session. "Resource-
//     based policies that grant permissions to an IAM role ARN are limited by
//     an implicit deny in a permissions boundary or session policy."
//   - StrengthAccount: the statement names the caller's account (account ID or
//     arn:aws:iam::ACCOUNT:root). This delegates to the account, whose
//     identity-based policies must allow the request.
type Strength int

const (
	StrengthNone Strength = iota
	StrengthAccount
	StrengthRole
	StrengthDirect
)

func (s Strength) String() string {
	switch s {
	case StrengthAccount:
		return "account"
	case StrengthRole:
		return "role"
	case StrengthDirect:
		return "direct"
	}
	return "none"
}

// cprincipal is a compiled Principal or NotPrincipal element.
type cprincipal struct {
	wildcard bool // "*" or {"AWS": "*"}
	aws      []cawsPrincipal
	// service, federated and canonical values, compared case-insensitively
	// for service and federated names and exactly for canonical IDs.
	service, federated, canonical []string
}

type awsPrincipalKind int

const (
	apAccount awsPrincipalKind = iota
	apUser
	apRole
	apSession
	apFederatedUser
	apOther
)

type cawsPrincipal struct {
	kind      awsPrincipalKind
	raw       string
	partition string
	account   string
	name      string
	session   string
}

func compilePrincipal(p *policy.Principal) *cprincipal {
	return compilePrincipalInto(nil, p)
}

// compilePrincipalInto is compilePrincipal reusing c (when not nil) and
// its lists.
func compilePrincipalInto(c *cprincipal, p *policy.Principal) *cprincipal {
	if p == nil {
		return nil
	}
	if c == nil {
		c = &cprincipal{}
	} else {
		*c = cprincipal{aws: c.aws[:0], service: c.service[:0], federated: c.federated[:0], canonical: c.canonical[:0]}
	}
	c.wildcard = p.Wildcard
	for _, e := range p.Entries {
		for _, v := range e.Values.Values {
			switch e.Type {
			case "AWS":
				if v == "*" {
					c.wildcard = true
					continue
				}
				c.aws = append(c.aws, compileAWSPrincipal(v))
			case "Service":
				c.service = append(c.service, v)
			case "Federated":
				c.federated = append(c.federated, v)
			case "CanonicalUser":
				c.canonical = append(c.canonical, v)
			}
		}
	}
	return c
}

// compileAWSPrincipal classifies one "AWS" principal value. Wildcards other
// than the bare "*" are not valid in Principal ("You cannot use a wildcard to
// match part of a principal name or ARN",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html);
// such values are compared literally and so match no real caller.
func compileAWSPrincipal(v string) cawsPrincipal {
	cp := cawsPrincipal{kind: apOther, raw: v}
	if isAccountID(v) {
		cp.kind, cp.account, cp.partition = apAccount, v, ""
		return cp
	}
	a, ok := splitARN(v)
	if !ok {
		return cp
	}
	cp.partition, cp.account = a.partition, a.account
	switch {
	case a.service == "iam" && a.resource == "root":
		cp.kind = apAccount
	case a.service == "iam" && strings.HasPrefix(a.resource, "user/"):
		cp.kind, cp.name = apUser, lastPathElem(a.resource)
	case a.service == "iam" && strings.HasPrefix(a.resource, "role/"):
		cp.kind, cp.name = apRole, lastPathElem(a.resource)
	case a.service == "sts" && strings.HasPrefix(a.resource, "assumed-role/"):
		rest := a.resource[len("assumed-role/"):]
		if i := strings.IndexByte(rest, '/'); i > 0 {
			cp.kind, cp.name, cp.session = apSession, rest[:i], rest[i+1:]
		}
	case a.service == "sts" && strings.HasPrefix(a.resource, "federated-user/"):
		cp.kind, cp.name = apFederatedUser, a.resource[len("federated-user/"):]
	}
	return cp
}

// strength returns how strongly the element names the caller: the
// strongest of its values.
//
// IAM user and role names are unique in an account regardless of case and
// path ("names are not distinguished by case",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html),
// and AWS stores a principal ARN as the entity's unique ID when the policy is
// saved, so a user or role value matches by account and name, ignoring path
// and case. Role session names and federated user names compare exactly.
func (c *cprincipal) strength(p *Principal) Strength {
	if c == nil {
		return StrengthNone
	}
	best := StrengthNone
	if c.wildcard {
		return StrengthDirect
	}
	switch p.Kind {
	case PrincipalService:
		for _, v := range c.service {
			if strings.EqualFold(v, p.Raw) {
				return StrengthDirect
			}
		}
		return StrengthNone
	case PrincipalFederatedProvider:
		for _, v := range c.federated {
			if strings.EqualFold(v, p.Raw) {
				return StrengthDirect
			}
		}
		return StrengthNone
	case PrincipalCanonicalUser:
		for _, v := range c.canonical {
			if strings.EqualFold(v, p.Raw) {
				return StrengthDirect
			}
		}
		return StrengthNone
	case PrincipalAnonymous:
		return StrengthNone
	}
	for i := range c.aws {
		if s := c.aws[i].strength(p); s > best {
			best = s
			if best == StrengthDirect {
				return best
			}
		}
	}
	return best
}

func (a *cawsPrincipal) samePartitionAccount(p *Principal) bool {
	if a.account != p.Account {
		return false
	}
	return a.partition == "" || a.partition == p.Partition
}

func (a *cawsPrincipal) strength(p *Principal) Strength {
	if a.kind == apOther {
		if a.raw == p.Raw {
			return StrengthDirect
		}
		return StrengthNone
	}
	if !p.IsIAM() || !a.samePartitionAccount(p) {
		return StrengthNone
	}
	switch a.kind {
	case apAccount:
		if p.Kind == PrincipalRoot {
			// The root user is the account itself.
			return StrengthDirect
		}
		return StrengthAccount
	case apUser:
		if p.Kind == PrincipalUser && strings.EqualFold(a.name, p.Name) {
			return StrengthDirect
		}
	case apRole:
		if (p.Kind == PrincipalRoleSession || p.Kind == PrincipalRole) && strings.EqualFold(a.name, p.Name) {
			return StrengthRole
		}
	case apSession:
		if p.Kind == PrincipalRoleSession && strings.EqualFold(a.name, p.Name) && a.session == p.Session {
			return StrengthDirect
		}
	case apFederatedUser:
		if p.Kind == PrincipalFederatedUser && a.name == p.Name {
			return StrengthDirect
		}
	}
	return StrengthNone
}

// excludes reports whether a NotPrincipal element exempts the caller. AWS
// evaluates every identity the caller is made of: the account, then the user
// or role, then the session. "When you use NotPrincipal with Deny ... you
// must also specify the account ARN of the not-denied principal", and for a
// role session the session ARN, the role ARN and the account
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
// The caller is exempt only when each of its identities is listed.
func (c *cprincipal) excludes(p *Principal) bool {
	if c == nil {
		return false
	}
	if c.wildcard {
		return true
	}
	switch p.Kind {
	case PrincipalService, PrincipalFederatedProvider, PrincipalCanonicalUser, PrincipalUnknown:
		return c.strength(p) == StrengthDirect
	case PrincipalAnonymous:
		return false
	}
	accountListed, entityListed, sessionListed := false, false, false
	for i := range c.aws {
		a := &c.aws[i]
		if a.kind == apOther || !a.samePartitionAccount(p) {
			continue
		}
		switch a.kind {
		case apAccount:
			accountListed = true
		case apUser:
			if p.Kind == PrincipalUser && strings.EqualFold(a.name, p.Name) {
				entityListed = true
			}
		case apRole:
			if (p.Kind == PrincipalRoleSession || p.Kind == PrincipalRole) && strings.EqualFold(a.name, p.Name) {
				entityListed = true
			}
		case apSession:
			if p.Kind == PrincipalRoleSession && strings.EqualFold(a.name, p.Name) && a.session == p.Session {
				sessionListed = true
			}
		case apFederatedUser:
			if p.Kind == PrincipalFederatedUser && a.name == p.Name {
				entityListed = true
			}
		}
	}
	switch p.Kind {
	case PrincipalRoot:
		return accountListed
	case PrincipalRoleSession:
		return accountListed && entityListed && sessionListed
	default: // user, role, federated user
		return accountListed && entityListed
	}
}
