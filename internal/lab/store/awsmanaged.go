package store

import (
	"database/sql"
	"time"
)

// awsManaged are the AWS managed policies a lab account starts with: the
// ones the seeds' setups and the MFA workflow attach. Documents as
// published in the AWS Managed Policy Reference
// (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/).
// since is the migration that adds the policy to existing lab files.
var awsManaged = []struct {
	since                  int
	name, id, version, doc string
}{
	{2, "AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "v1", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*"
        }
    ]
}`},
	{2, "IAMReadOnlyAccess", "ANPAJKSO7NDY4T57MWDSQ", "v4", `{
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
	{2, "IAMUserChangePassword", "ANPAJ4L4MM2A7QIEB56MS", "v2", `{
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
	// The role of seed 003 and of the setup file's example (edited
	// February 12, 2026).
	{5, "PowerUserAccess", "ANPAJYRXTHIB4FOVS3ZXS", "v12", `{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "NotAction" : [
        "iam:*",
        "organizations:*",
        "account:*"
      ],
      "Resource" : "*"
    },
    {
      "Effect" : "Allow",
      "Action" : [
        "account:GetAccountInformation",
        "account:GetGovCloudAccountInformation",
        "account:GetPrimaryEmail",
        "account:ListRegions",
        "iam:CreateServiceLinkedRole",
        "iam:DeleteServiceLinkedRole",
        "iam:ListRoles",
        "organizations:DescribeEffectivePolicy",
        "organizations:DescribeOrganization"
      ],
      "Resource" : "*"
    }
  ]
}`},
}

// insertAWSManagedPolicies returns the migration step that adds the AWS
// managed policies of migration since.
func insertAWSManagedPolicies(since int) func(tx *sql.Tx) error {
	return func(tx *sql.Tx) error { return insertAWSManaged(tx, since) }
}

func insertAWSManaged(tx *sql.Tx, since int) error {
	created := time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC).Unix()
	for _, p := range awsManaged {
		if p.since != since {
			continue
		}
		arn := "arn:aws:iam::aws:policy/" + p.name
		if _, err := tx.Exec(`INSERT OR IGNORE INTO policies(arn, id, name, path, description, default_version, next_version, created, updated, aws_managed)
			VALUES (?, ?, ?, '/', '', ?, 0, ?, ?, 1)`, arn, p.id, p.name, p.version, created, created); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT OR IGNORE INTO policy_versions(policy_arn, version_id, document, created) VALUES (?, ?, ?, ?)`, arn, p.version, p.doc, created); err != nil {
			return err
		}
	}
	return nil
}
