package store

import (
	"database/sql"
	"time"
)

// awsManaged are the AWS managed policies a lab account starts with: the
// ones the seeds' setups and the MFA workflow attach. Documents as
// published in the AWS Managed Policy Reference
// (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/).
var awsManaged = []struct {
	name, id, version, doc string
}{
	{"AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "v1", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*"
        }
    ]
}`},
	{"IAMReadOnlyAccess", "ANPAJKSO7NDY4T57MWDSQ", "v4", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:GenerateCredentialReport",
                "iam:GenerateServiceLastAccessedDetails",
                "iam:Get*",
                "iam:List*",
                "iam:SimulateCustomPolicy",
                "iam:SimulatePrincipalPolicy"
            ],
            "Resource": "*"
        }
    ]
}`},
	{"IAMUserChangePassword", "ANPAJ4L4MM2A7QIEB56MS", "v2", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:ChangePassword"
            ],
            "Resource": [
                "arn:aws:iam::*:user/${aws:username}"
            ]
        },
        {
            "Effect": "Allow",
            "Action": [
                "iam:GetAccountPasswordPolicy"
            ],
            "Resource": "*"
        }
    ]
}`},
}

func insertAWSManagedPolicies(tx *sql.Tx) error {
	created := time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC).Unix()
	for _, p := range awsManaged {
		arn := "arn:aws:iam::aws:policy/" + p.name
		if _, err := tx.Exec(`INSERT INTO policies(arn, id, name, path, description, default_version, next_version, created, updated, aws_managed)
			VALUES (?, ?, ?, '/', '', ?, 0, ?, ?, 1)`, arn, p.id, p.name, p.version, created, created); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO policy_versions(policy_arn, version_id, document, created) VALUES (?, ?, ?, ?)`, arn, p.version, p.doc, created); err != nil {
			return err
		}
	}
	return nil
}
