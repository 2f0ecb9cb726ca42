package lab

import (
	"errors"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// STS duration limits
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
const (
	gstMin     = 900
	gstMax     = 129600
	gstDefault = 43200
	// "Sessions for AWS account owners are restricted to a maximum of 3,600
	// seconds (one hour). If the duration is longer than one hour, the
	// session for AWS account owners defaults to one hour."
	gstRootMax = 3600

	arMin     = 900
	arMax     = 43200
	arDefault = 3600
	// Role chaining limits a role session to one hour.
	chainMax = 3600
)

// MFA failure messages as STS returns them (AccessDenied, 403), spaces
// included.
const (
	msgMFAInvalidCode = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
	msgMFABadSerial   = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	msgGSTSession     = "Cannot call GetSessionToken with session credentials"
	msgChain          = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
	msgRoleMax        = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
	msgRootAssumeRole = "Roles may not be assumed by root accounts."
)

var (
	reTokenCode   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\d]*$`) })
	reSessionName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]*$`) })
	reSourceID    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]*$`) })
)

type credentialsXML struct {
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

type getCallerIdentityResult struct {
	Arn     string
	UserId  string
	Account string
}

func (s *Server) getCallerIdentity(rq *request) (any, error) {
	// No permissions are required, and an explicit Deny does not apply
	// (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
	c := rq.caller
	rq.decided, rq.decision = true, eval.Allowed
	rq.reason = "sts:GetCallerIdentity needs no permission and cannot be denied"
	return getCallerIdentityResult{Arn: c.arn, UserId: c.userID, Account: c.account}, nil
}

// durationParam reads DurationSeconds: (value, present, error).
func durationParam(p params, min, max int) (int, bool, error) {
	v, ok := p["DurationSeconds"]
	if !ok {
		return 0, false, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false, constraintError(v, "durationSeconds", "must be an integer")
	}
	if n < min {
		return 0, false, constraintError(v, "durationSeconds", "must have value greater than or equal to "+strconv.Itoa(min))
	}
	if n > max {
		return 0, false, constraintError(v, "durationSeconds", "must have value less than or equal to "+strconv.Itoa(max))
	}
	return n, true, nil
}

// lifetime applies a test cap to a duration.
func lifetime(d time.Duration, limit time.Duration) time.Duration {
	if limit > 0 && limit < d {
		return limit
	}
	return d
}

// newSession creates and stores temporary credentials.
func (s *Server) newSession(rq *request, sess store.Session, d time.Duration) (credentialsXML, error) {
	token := store.NewSessionToken()
	sess.AccessKeyID = store.NewAccessKeyID(store.PrefixTempAccessKey)
	sess.Secret = store.NewSecretAccessKey()
	sess.TokenHash = store.HashToken(token)
	sess.Issued = rq.now.Truncate(time.Second)
	sess.Expires = sess.Issued.Add(d)
	sess.SourceKey = rq.caller.accessKeyID
	if err := s.st.PutSession(sess); err != nil {
		return credentialsXML{}, err
	}
	return credentialsXML{AccessKeyId: sess.AccessKeyID, SecretAccessKey: sess.Secret, SessionToken: token, Expiration: isoTime(sess.Expires)}, nil
}

type getSessionTokenResult struct {
	Credentials credentialsXML
}

func (s *Server) getSessionToken(rq *request) (any, error) {
	c := rq.caller
	p := rq.params
	dur, given, err := durationParam(p, gstMin, gstMax)
	if err != nil {
		return nil, err
	}
	serial, code, err := mfaParams(p)
	if err != nil {
		return nil, err
	}
	// GetSessionToken needs long-term credentials and is not controlled by
	// policies
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html).
	rq.decided = true
	if !c.longTerm() {
		rq.decision = eval.ImplicitDeny
		rq.reason = "GetSessionToken must be called with long-term credentials"
		return nil, accessDenied(msgGSTSession)
	}
	if !given {
		dur = gstDefault
	}
	if c.kind == kindRoot && dur > gstRootMax {
		dur = gstRootMax
	}
	mfa, err := s.checkMFA(rq, serial, code, true)
	if err != nil {
		rq.decision = eval.ImplicitDeny
		return nil, err
	}
	rq.decision = eval.Allowed
	rq.reason = "sts:GetSessionToken needs no permission"
	sess := store.Session{Kind: store.SessionUser, PrincipalID: c.uniqueID, Credential: rowSession.Name}
	if c.kind == kindRoot {
		sess.Kind, sess.PrincipalID = store.SessionRoot, c.account
	}
	if mfa {
		sess.Credential = rowSessionMFA.Name
		sess.MFATime = rq.now.Truncate(time.Second)
	}
	creds, err := s.newSession(rq, sess, lifetime(time.Duration(dur)*time.Second, s.cfg.Lifetimes.GetSessionToken))
	if err != nil {
		return nil, err
	}
	return getSessionTokenResult{Credentials: creds}, nil
}

type assumedRoleUserXML struct {
	AssumedRoleId string
	Arn           string
}

type assumeRoleResult struct {
	Credentials      credentialsXML
	AssumedRoleUser  assumedRoleUserXML
	PackedPolicySize *int   `xml:",omitempty"`
	SourceIdentity   string `xml:",omitempty"`
}

// maxSessionPolicy is the size limit of AssumeRole's Policy parameter.
const maxSessionPolicy = 2048

// assumeRoleInput is what authorizing an AssumeRole call established, for
// its handler.
type assumeRoleInput struct {
	role           store.Role
	sessionName    string
	duration       int
	durationGiven  bool
	serial, code   string
	mfa            bool // a valid MFA code came with the call
	sourceIdentity string
	sessionPolicy  string
	sessPol        *eval.Policy
}

// assumeRoleParams validates AssumeRole's parameters.
func (s *Server) assumeRoleParams(p params) (*assumeRoleInput, string, error) {
	roleARN, sessionName := p.get("RoleArn"), p.get("RoleSessionName")
	switch {
	case !p.has("RoleArn"):
		return nil, "", missingError("roleArn")
	case len(roleARN) < 20:
		return nil, "", constraintError(roleARN, "roleArn", "must have length greater than or equal to 20")
	case len(roleARN) > 2048:
		return nil, "", constraintError(truncate(roleARN, 64), "roleArn", "must have length less than or equal to 2048")
	}
	switch {
	case !p.has("RoleSessionName"):
		return nil, "", missingError("roleSessionName")
	case len(sessionName) < 2:
		return nil, "", constraintError(sessionName, "roleSessionName", "must have length greater than or equal to 2")
	case len(sessionName) > 64:
		return nil, "", constraintError(sessionName, "roleSessionName", "must have length less than or equal to 64")
	case !reSessionName().MatchString(sessionName):
		return nil, "", constraintError(sessionName, "roleSessionName", `must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	in := &assumeRoleInput{sessionName: sessionName}
	var err error
	if in.duration, in.durationGiven, err = durationParam(p, arMin, arMax); err != nil {
		return nil, "", err
	}
	if in.serial, in.code, err = mfaParams(p); err != nil {
		return nil, "", err
	}
	in.sourceIdentity = p.get("SourceIdentity")
	if p.has("SourceIdentity") && (len(in.sourceIdentity) < 2 || len(in.sourceIdentity) > 64 || !reSourceID().MatchString(in.sourceIdentity)) {
		return nil, "", constraintError(in.sourceIdentity, "sourceIdentity", `must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	if err := externalIDParam(p); err != nil {
		return nil, "", err
	}
	if in.sessionPolicy, in.sessPol, err = s.sessionPolicyParam(p); err != nil {
		return nil, "", err
	}
	return in, roleARN, nil
}

// reExternalID is AssumeRole's ExternalId pattern (2 to 1,224 characters,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
var reExternalID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@:/-]*$`) })

// externalIDParam validates ExternalId, which becomes the sts:ExternalId
// condition key of the call.
func externalIDParam(p params) error {
	v, ok := p["ExternalId"]
	switch {
	case !ok:
		return nil
	case len(v) < 2:
		return constraintError(v, "externalId", "must have length greater than or equal to 2")
	case len(v) > 1224:
		return constraintError(truncate(v, 64), "externalId", "must have length less than or equal to 1224")
	case !reExternalID().MatchString(v):
		return constraintError(v, "externalId", `must satisfy regular expression pattern: [\w+=,.@:\/-]*`)
	}
	return nil
}

// authorizeAssumeRole decides an AssumeRole call before anything is
// written: the MFA code is checked without being used (the handler uses
// it), and the caller's identity policies and the role's trust policy are
// evaluated in the context the call carries.
func (s *Server) authorizeAssumeRole(rq *request) error {
	c := rq.caller
	in, roleARN, err := s.assumeRoleParams(rq.params)
	if err != nil {
		return err
	}
	if in.mfa, err = s.checkMFA(rq, in.serial, in.code, false); err != nil {
		return err
	}
	if v, ok := rq.params["ExternalId"]; ok {
		rq.extra = append(rq.extra, [2]string{"sts:ExternalId", v})
	}
	// The context of the AssumeRole call: the caller's own, with MFA
	// present when the call carried a valid code (credctx AssumeRoleCall).
	keys, mfaTime := c.row.Keys, c.mfaTime()
	if in.mfa {
		keys = withKeys(c.row.Keys, rowAssumeMFA.AssumeRoleCall)
		mfaTime = rq.now
	}
	const action = "sts:AssumeRole"
	if c.kind == kindRoot {
		rq.authorized, rq.decided, rq.decision = true, true, eval.ImplicitDeny
		rq.reason = msgRootAssumeRole
		return accessDenied(msgRootAssumeRole)
	}
	notAuthorized := "User: " + c.arn + " is not authorized to perform: " + action + " on resource: " + roleARN
	role, err := s.st.GetRoleByARN(roleARN)
	if err != nil {
		if !store.IsNotFound(err) {
			return err
		}
		rq.authorized, rq.decided, rq.decision = true, true, eval.ImplicitDeny
		rq.reason = "no role " + roleARN
		return accessDenied(notAuthorized)
	}
	target, err := s.roleIdentity(role.ID)
	if err != nil {
		return err
	}
	set := eval.PolicySet{Identity: c.identityPolicies(), Session: c.sessPolicy, Resource: target.trust, ResourceKind: eval.ResourceRoleTrust}
	res := s.evaluate(rq, &set, action, role.ARN, keys, mfaTime)
	if res.Decision != eval.Allowed {
		if res.Decision == eval.ExplicitDeny && len(res.Deciding) > 0 && res.Deciding[0].Layer != eval.LayerResource {
			return accessDenied(notAuthorized + " " + denyReason(action, &res))
		}
		return accessDenied(notAuthorized)
	}
	in.role = role
	rq.input = in
	return nil
}

// assumeRole issues the role session authorizeAssumeRole allowed.
func (s *Server) assumeRole(rq *request) (any, error) {
	in, _ := rq.input.(*assumeRoleInput)
	if in == nil {
		return nil, errors.New("lab: AssumeRole without its authorization")
	}
	c, role := rq.caller, in.role
	chained := c.kind == kindRole
	dur := in.duration
	switch {
	case !in.durationGiven:
		dur = arDefault
	case chained && dur > chainMax:
		return nil, validationError(msgChain)
	case dur > role.MaxSessionDuration:
		return nil, validationError(msgRoleMax)
	}
	if in.mfa {
		// Now use the code: a concurrent call may have used it meanwhile.
		if _, err := s.checkMFA(rq, in.serial, in.code, true); err != nil {
			return nil, err
		}
	}
	// The role session's context: MFA carries over from an MFA session
	// (role-from-mfa-session); AssumeRole's own MFA parameters leave the
	// session without MFA context (assume-role-mfa), per internal/credctx.
	sess := store.Session{Kind: store.SessionRole, PrincipalID: role.ID, SessionName: in.sessionName, Credential: rowAssumeRole.Name,
		SessionPolicy: in.sessionPolicy, Chained: chained, SourceIdentity: in.sourceIdentity}
	switch {
	case hasMFAContext(c.row):
		sess.Credential = rowRoleFromMFA.Name
		sess.MFATime = c.mfaTime()
		if in.mfa {
			sess.MFATime = rq.now.Truncate(time.Second)
		}
	case in.mfa:
		sess.Credential = rowAssumeMFA.Name
	}
	creds, err := s.newSession(rq, sess, lifetime(time.Duration(dur)*time.Second, s.cfg.Lifetimes.AssumeRole))
	if err != nil {
		return nil, err
	}
	_ = s.st.TouchRole(role.ID, rq.now, rq.region)
	out := assumeRoleResult{
		Credentials:     creds,
		AssumedRoleUser: assumedRoleUserXML{AssumedRoleId: role.ID + ":" + in.sessionName, Arn: "arn:aws:sts::" + c.account + ":assumed-role/" + role.Name + "/" + in.sessionName},
		SourceIdentity:  in.sourceIdentity,
	}
	if in.sessPol != nil {
		// PackedPolicySize: percentage of the packed size limit used.
		pct := (policySizeOf(in.sessionPolicy)*100 + maxSessionPolicy - 1) / maxSessionPolicy
		out.PackedPolicySize = &pct
	}
	return out, nil
}
