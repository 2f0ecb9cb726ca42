package lab

import (
	"errors"

	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// mfaParams validates SerialNumber and TokenCode (both optional).
func mfaParams(p params) (serial, code string, err error) {
	serial, code = p.get("SerialNumber"), p.get("TokenCode")
	if p.has("SerialNumber") {
		if err := store.CheckSerialNumber(serial, "serialNumber"); err != nil {
			return "", "", err
		}
	}
	if p.has("TokenCode") {
		switch {
		case len(code) < 6:
			return "", "", constraintError(code, "tokenCode", "must have length greater than or equal to 6")
		case len(code) > 6:
			return "", "", constraintError(code, "tokenCode", "must have length less than or equal to 6")
		case !reTokenCode().MatchString(code):
			return "", "", constraintError(code, "tokenCode", `must satisfy regular expression pattern: [\d]*`)
		}
	}
	return serial, code, nil
}

// checkMFA verifies the MFA parameters of a GetSessionToken or AssumeRole
// call, using the code when use is set (a used code is refused after). It
// returns whether MFA was presented and verified.
func (s *Server) checkMFA(rq *request, serial, code string, use bool) (bool, error) {
	if serial == "" && code == "" {
		return false, nil
	}
	c := rq.caller
	if serial == "" || c.kind != kindUser {
		rq.note = "MFA: no device to check the code against"
		return false, accessDenied(msgMFABadSerial)
	}
	if code == "" {
		rq.note = "MFA: no code"
		return false, accessDenied(msgMFAInvalidCode)
	}
	verify := s.st.CheckMFACode
	if use {
		verify = s.st.VerifyMFACode
	}
	err := verify(c.uniqueID, serial, code, rq.now)
	switch {
	case err == nil:
		rq.note = "MFA code accepted"
		return true, nil
	case errors.Is(err, store.ErrMFAUnknownDevice):
		rq.note = "MFA: device unknown or not the caller's"
		return false, accessDenied(msgMFABadSerial)
	case errors.Is(err, store.ErrMFACodeReused):
		rq.note = "MFA: code already used"
		return false, accessDenied(msgMFAInvalidCode)
	case errors.Is(err, store.ErrMFAInvalidCode):
		rq.note = "MFA: wrong code"
		return false, accessDenied(msgMFAInvalidCode)
	}
	return false, err
}
