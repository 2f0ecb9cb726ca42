package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/lab/store"
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
	// resource is what the operation was authorized on; tags are the
	// request's Tags parameter (aws:RequestTag/KEY, aws:TagKeys); input
	// is what authorizing the operation parsed or established, for its
	// handler (*assumeRoleInput, *describeRegionsInput).
	resource string
	tags     []store.Tag
	// untagKeys are an Untag* request's TagKeys (aws:TagKeys).
	untagKeys []string
	input     any

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
	// AKID/DATE/REGION/SERVICE/TERM: exactly five elements.
	if strings.Count(cred, "/") == 4 {
		rest := cred
		for range 3 {
			rest = rest[strings.IndexByte(rest, '/')+1:]
		}
		switch svc, _, _ := strings.Cut(rest, "/"); svc {
		case serviceIAM, serviceEC2, serviceOrganizations:
			return svc
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
		body, err = readBody(w, r)
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
	var p params
	var perr error
	if rq.service == serviceOrganizations {
		p, perr = jsonRequestParams(r, body)
	} else {
		p, perr = requestParams(r, body)
	}
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
	op := operations()[rq.service][rq.action]
	// The JSON protocol has no Version: the target names the API version.
	okVersion := version == apiVersion(rq.service) || (rq.service == serviceEC2 && version != "") || rq.service == serviceOrganizations
	if op == nil && rq.service == serviceOrganizations {
		return errSender(http.StatusBadRequest, "UnknownOperationException",
			"The awsmfa lab does not implement the Organizations operation "+truncate(rq.action, 128)+": its account is in no organization.")
	}
	if op == nil || !okVersion {
		if version == "" {
			version = "NO_VERSION_SPECIFIED"
		}
		return errSender(http.StatusBadRequest, "InvalidAction", "Could not find operation "+truncate(rq.action, 128)+" for version "+truncate(version, 32))
	}
	if err := s.credentialRestrictions(rq); err != nil {
		return err
	}
	// Authorized before the handler runs: a denied call changes nothing.
	if err := s.authorizeOperation(rq, op); err != nil {
		return err
	}
	result, err := op.handler(s, rq)
	if err != nil {
		return err
	}
	rq.status = http.StatusOK
	if rq.service == serviceOrganizations {
		body, err := json.Marshal(result)
		if err != nil {
			return err
		}
		writeJSONBody(w, http.StatusOK, rq.id, body)
		return nil
	}
	if raw, ok := result.(rawResponse); ok {
		writeXML(w, http.StatusOK, rq.id, raw)
		return nil
	}
	return writeResult(w, rq.service, rq.action, rq.id, result)
}

// readBody reads the request body, at most maxBody bytes: io.ReadAll's
// loop, with a first buffer of the declared length (plus one byte, to see
// the end without growing) instead of 512 bytes grown by doubling.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	rd := http.MaxBytesReader(w, r.Body, maxBody)
	size := 512
	if n := r.ContentLength; n > 0 && n < maxBody {
		size = int(n) + 1
	}
	b := make([]byte, 0, size)
	for {
		n, err := rd.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// rawResponse is a complete XML answer a handler built itself (EC2).
type rawResponse []byte
