package lab

import (
	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// Login profiles: a user's console password. The lab has no console; it
// keeps that a user has a password (the credential report's
// password_enabled) and never the password itself.

type loginProfileXML struct {
	UserName              string
	CreateDate            string
	PasswordResetRequired bool
}

func toLoginProfileXML(p store.LoginProfile) loginProfileXML {
	return loginProfileXML{UserName: p.UserName, CreateDate: isoTime(p.Created), PasswordResetRequired: p.ResetRequired}
}

// loginUserResource is the user of Create/GetLoginProfile: UserName
// (userNameType, at most 64 characters), else the calling user. Only an
// AssumeRoot session may omit it as the root user, and the lab has none.
func loginUserResource(s *Server, rq *request) (string, error) {
	n, root, err := s.targetUser(rq)
	if err != nil {
		return "", err
	}
	if root {
		return "", msgNonUser()
	}
	if err := store.ValidateName(n, "userName", 64); err != nil {
		return "", err
	}
	return s.userARN(n), nil
}

// passwordParam validates CreateLoginProfile's Password as the API model
// does, before authorization; the password policy is checked after.
func passwordParam(rq *request) error {
	if !rq.params.has("Password") {
		return missingError("password")
	}
	err := store.CheckPassword(rq.params.get("Password"))
	if store.ErrorCode(err) == store.CodePasswordPolicyViolation {
		return nil
	}
	return err
}

// boolParam reads an optional boolean parameter ("true" or "false").
func boolParam(rq *request, name, field string) (bool, error) {
	switch v := rq.params.get(name); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, constraintError(v, field, "must be a boolean")
	}
}

func passwordResetParam(rq *request) error {
	_, err := boolParam(rq, "PasswordResetRequired", "passwordResetRequired")
	return err
}

type loginProfileResult struct {
	LoginProfile loginProfileXML
}

func (s *Server) createLoginProfile(rq *request) (any, error) {
	name, _, err := s.targetUser(rq)
	if err != nil {
		return nil, err
	}
	reset, err := boolParam(rq, "PasswordResetRequired", "passwordResetRequired")
	if err != nil {
		return nil, err
	}
	p, err := s.st.CreateLoginProfile(name, rq.params.get("Password"), reset)
	if err != nil {
		return nil, err
	}
	return loginProfileResult{LoginProfile: toLoginProfileXML(p)}, nil
}

func (s *Server) getLoginProfile(rq *request) (any, error) {
	name, _, err := s.targetUser(rq)
	if err != nil {
		return nil, err
	}
	p, err := s.st.GetLoginProfile(name)
	if err != nil {
		return nil, err
	}
	return loginProfileResult{LoginProfile: toLoginProfileXML(p)}, nil
}

func (s *Server) deleteLoginProfile(rq *request) (any, error) {
	n, _, err := s.targetUser(rq)
	if err != nil {
		return nil, err
	}
	return nil, s.st.DeleteLoginProfile(n)
}
