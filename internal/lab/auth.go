package lab

import (
	"errors"
	"net/http"

	"github.com/awsmfa/awsmfa/internal/lab/store"
	"github.com/awsmfa/awsmfa/internal/sigv4"
)

// Messages of authentication failures found after the signature verified.
const (
	msgInvalidToken = "The security token included in the request is invalid."
	msgExpiredToken = "The security token included in the request is expired"
	// IAM answers requests signed with GetSessionToken credentials obtained
	// without MFA with InvalidClientTokenId ("You cannot call any IAM API
	// operations unless MFA authentication information is included in the
	// request", https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html;
	// the recorded answer, without a final period, is in
	// https://github.com/aws/aws-cli/issues/8918 and
	// https://github.com/99designs/aws-vault/issues/1056).
	msgIAMNeedsMFA = "The security token included in the request is invalid"
)

func invalidToken(msg string) *apiError {
	return errSender(http.StatusForbidden, "InvalidClientTokenId", msg)
}

// labServices are the services of the credential scopes the lab accepts.
var labServices = []string{serviceSTS, serviceIAM, serviceEC2, serviceOrganizations}

// authenticate verifies the signature and identifies the caller.
func (s *Server) authenticate(rq *request, body []byte) error {
	var entry *keyEntry
	v := sigv4.Verifier{
		Now:      s.now,
		MaxSkew:  s.cfg.MaxSkew,
		Services: labServices,
		Keys:     s.keys,
		Secret: func(id string) (string, error) {
			e, err := s.lookupKey(id)
			if err != nil {
				return "", err
			}
			entry = e
			return e.secret, nil
		},
	}
	res, err := v.Verify(rq.r, body)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return &apiError{Status: se.Status, Code: se.Code, Message: se.Message}
		}
		return err
	}
	rq.service, rq.region = res.Service, res.Region
	if entry.sess != nil {
		// The token must be the session's; compared in constant time.
		if res.SessionToken == "" || !entry.sess.TokenMatches(res.SessionToken) {
			return invalidToken(msgInvalidToken)
		}
		if entry.sess.Expired(rq.now) {
			return errSender(http.StatusBadRequest, "ExpiredToken", msgExpiredToken)
		}
	} else {
		if res.SessionToken != "" || entry.key.Status != store.StatusActive {
			return invalidToken(msgInvalidToken)
		}
	}
	c, err := s.callerFor(entry, res.AccessKeyID)
	if err != nil {
		if store.IsNotFound(err) {
			// The user or role behind the credentials no longer exists.
			return invalidToken(msgInvalidToken)
		}
		return err
	}
	rq.caller = c
	if entry.key != nil {
		s.touchKey(entry, rq)
	}
	return nil
}

// touchKey records a long-term key's last use (service, region), at most
// once a minute per key: the credential report's access_key_N_last_used_*
// columns ("When an access key is used more than once in a 15-minute span,
// only the first use is recorded").
func (s *Server) touchKey(e *keyEntry, rq *request) {
	now := rq.now.Unix()
	last := e.touched.Load()
	if now-last < 60 || !e.touched.CompareAndSwap(last, now) {
		return
	}
	_ = s.st.TouchAccessKey(e.key.ID, rq.now, rq.service, rq.region)
}
