package lab

import (
	"net/http"
)

// ec2Error converts an error to EC2's codes: EC2 reports authentication
// failures as AuthFailure (401) "AWS was not able to validate the provided
// access credentials" (recorded answers:
// https://github.com/boto/botocore/issues/893,
// https://github.com/aws/aws-sdk-java/issues/2508) and expired temporary
// credentials as RequestExpired.
func ec2Error(e *apiError) *apiError {
	switch e.Code {
	case "InvalidClientTokenId", "SignatureDoesNotMatch":
		return errSender(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
	case "ExpiredToken":
		return errSender(http.StatusBadRequest, "RequestExpired", "Request has expired.")
	}
	return e
}
