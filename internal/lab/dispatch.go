package lab

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/eval"
)

// request is one API request being answered.
type request struct {
	id    string
	start time.Time
	now   time.Time
	r     *http.Request

	service string
	action  string
	params  params
	region  string
	caller  *caller
	// extra holds service-specific condition keys (iam:PolicyARN, ...).
	extra [][2]string

	// Outcome, for the log line and the counters.
	status      int
	errCode     string
	authorized  bool
	decided     bool
	decision    eval.Decision
	policyName  string
	statement   string
	reason      string
	note        string
	internalErr error
}

// apiAction is "service:Action", the IAM action name of the request.
func (rq *request) apiAction() string { return rq.service + ":" + rq.action }

// operation is an API action the lab implements.
type operation struct {
	handler func(*Server, *request) (any, error)
	// public operations are not authorized with policies
	// (sts:GetCallerIdentity, sts:GetSessionToken); every other handler
	// must call authorize before acting.
	public bool
}

var operations map[string]map[string]*operation

func init() {
	operations = map[string]map[string]*operation{
		serviceSTS: {
			"GetCallerIdentity": {handler: (*Server).getCallerIdentity, public: true},
			"GetSessionToken":   {handler: (*Server).getSessionToken, public: true},
			"AssumeRole":        {handler: (*Server).assumeRole},
		},
		serviceIAM: {
			"CreateUser":                     {handler: (*Server).createUser},
			"GetUser":                        {handler: (*Server).getUser},
			"ListUsers":                      {handler: (*Server).listUsers},
			"CreateAccessKey":                {handler: (*Server).createAccessKey},
			"DeleteAccessKey":                {handler: (*Server).deleteAccessKey},
			"ListAccessKeys":                 {handler: (*Server).listAccessKeys},
			"CreateGroup":                    {handler: (*Server).createGroup},
			"AddUserToGroup":                 {handler: (*Server).addUserToGroup},
			"ListGroupsForUser":              {handler: (*Server).listGroupsForUser},
			"CreatePolicy":                   {handler: (*Server).createPolicy},
			"GetPolicy":                      {handler: (*Server).getPolicy},
			"GetPolicyVersion":               {handler: (*Server).getPolicyVersion},
			"AttachUserPolicy":               {handler: (*Server).attachUserPolicy},
			"AttachGroupPolicy":              {handler: (*Server).attachGroupPolicy},
			"AttachRolePolicy":               {handler: (*Server).attachRolePolicy},
			"PutUserPolicy":                  {handler: (*Server).putUserPolicy},
			"PutGroupPolicy":                 {handler: (*Server).putGroupPolicy},
			"PutRolePolicy":                  {handler: (*Server).putRolePolicy},
			"CreateRole":                     {handler: (*Server).createRole},
			"GetRole":                        {handler: (*Server).getRole},
			"UpdateAssumeRolePolicy":         {handler: (*Server).updateAssumeRolePolicy},
			"CreateVirtualMFADevice":         {handler: (*Server).createVirtualMFADevice},
			"EnableMFADevice":                {handler: (*Server).enableMFADevice},
			"ResyncMFADevice":                {handler: (*Server).resyncMFADevice},
			"DeactivateMFADevice":            {handler: (*Server).deactivateMFADevice},
			"ListMFADevices":                 {handler: (*Server).listMFADevices},
			"ListVirtualMFADevices":          {handler: (*Server).listVirtualMFADevices},
			"GetAccountAuthorizationDetails": {handler: (*Server).getAccountAuthorizationDetails},
			"GenerateCredentialReport":       {handler: (*Server).generateCredentialReport},
			"GetCredentialReport":            {handler: (*Server).getCredentialReport},
		},
		serviceEC2: {
			"DescribeRegions": {handler: (*Server).describeRegions},
		},
	}
}

// apiVersion is the Version each service answers.
func apiVersion(service string) string {
	switch service {
	case serviceIAM:
		return versionIAM
	case serviceEC2:
		return versionEC2
	}
	return versionSTS
}

// sniffService reads the service of the credential scope before the
// signature is verified, to answer errors in the service's format.
func sniffService(r *http.Request) string {
	cred := ""
	if a := r.Header.Get("Authorization"); a != "" {
		if i := strings.Index(a, "Credential="); i >= 0 {
			cred = a[i+len("Credential="):]
			if j := strings.IndexAny(cred, ", "); j >= 0 {
				cred = cred[:j]
			}
		}
	} else if q := r.URL.Query().Get("X-Amz-Credential"); q != "" {
		cred = q
	}
	parts := strings.Split(cred, "/")
	if len(parts) == 5 {
		switch parts[3] {
		case serviceIAM, serviceEC2:
			return parts[3]
		}
	}
	return serviceSTS
}

// handle answers rq, writing a success to w or returning the error to
// answer.
func (s *Server) handle(w http.ResponseWriter, rq *request) error {
	r := rq.r
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		return errSender(http.StatusMethodNotAllowed, "MethodNotAllowed", "The requested method "+truncate(r.Method, 32)+" is not allowed for this resource.")
	}
	var body []byte
	var err error
	if r.Body != nil {
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errSender(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", fmt.Sprintf("Request body must be no larger than %d bytes.", maxBody))
		}
		return errSender(http.StatusBadRequest, "IncompleteBody", "The request body could not be read completely.")
	}
	// Parse first so that even refused requests are logged with their
	// action; a parse error is answered after authentication.
	p, perr := requestParams(r, body)
	if perr == nil {
		rq.params = p
		rq.action = p.get("Action")
	}
	if err := s.authenticate(rq, body); err != nil {
		return err
	}
	if perr != nil {
		return perr
	}
	if rq.action == "" {
		return errSender(http.StatusBadRequest, "MissingAction", "Missing Action")
	}
	version := p.get("Version")
	op := operations[rq.service][rq.action]
	okVersion := version == apiVersion(rq.service) || (rq.service == serviceEC2 && version != "")
	if op == nil || !okVersion {
		if version == "" {
			version = "NO_VERSION_SPECIFIED"
		}
		return errSender(http.StatusBadRequest, "InvalidAction", "Could not find operation "+truncate(rq.action, 128)+" for version "+truncate(version, 32))
	}
	if err := s.credentialRestrictions(rq); err != nil {
		return err
	}
	result, err := op.handler(s, rq)
	if err != nil {
		return err
	}
	if !op.public && !rq.authorized {
		return fmt.Errorf("lab: %s answered without authorization", rq.apiAction())
	}
	rq.status = http.StatusOK
	if raw, ok := result.(rawResponse); ok {
		writeXML(w, http.StatusOK, rq.id, raw)
		return nil
	}
	return writeResult(w, rq.service, rq.action, rq.id, result)
}

// rawResponse is a complete XML answer a handler built itself (EC2).
type rawResponse []byte
