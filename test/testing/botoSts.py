# botocore (through boto3) signing STS calls to the fake STS at AWS_ENDPOINT_URL_STS: reads the pod's credentials and
# the role to chain into as JSON on stdin, prints one JSON line with what each call answered.
import json
import sys

import boto3
import botocore.exceptions

spec = json.load(sys.stdin)


def sts(credentials):
    session = boto3.session.Session(
        aws_access_key_id=credentials["accessKeyId"],
        aws_secret_access_key=credentials["secretAccessKey"],
        aws_session_token=credentials.get("sessionToken") or None,
        region_name="eu-west-1",
    )
    return session.client("sts")


def attempt(call):
    try:
        return {"ok": call()}
    except botocore.exceptions.ClientError as error:
        return {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}


pod = spec["pod"]
identity = attempt(lambda: sts(pod).get_caller_identity()["Arn"])
assumed = attempt(
    lambda: sts(pod).assume_role(
        RoleArn=spec["target"],
        RoleSessionName="reports",
        DurationSeconds=900,
        ExternalId="orders-42",
        Policy='{"Version":"2012-10-17","Statement":[]}',
        Tags=[{"Key": "team", "Value": "orders"}],
        TransitiveTagKeys=["team"],
        SourceIdentity="orders-service",
    )
)
chained = assumed.get("ok", {}).get("Credentials", {})
chained_identity = attempt(
    lambda: sts(
        {
            "accessKeyId": chained["AccessKeyId"],
            "secretAccessKey": chained["SecretAccessKey"],
            "sessionToken": chained["SessionToken"],
        }
    ).get_caller_identity()["Arn"]
)
too_long = attempt(lambda: sts(pod).assume_role(RoleArn=spec["target"], RoleSessionName="r2", DurationSeconds=7200))
secret = pod["secretAccessKey"]
other_secret = secret[:-1] + ("y" if secret.endswith("x") else "x")
wrong_secret = attempt(lambda: sts({**pod, "secretAccessKey": other_secret}).get_caller_identity())
print(
    json.dumps(
        {
            "identity": identity,
            "assumedArn": assumed.get("ok", {}).get("AssumedRoleUser", {}).get("Arn", assumed),
            "chainedIdentity": chained_identity,
            "tooLong": too_long,
            "wrongSecret": wrong_secret,
        }
    )
)
