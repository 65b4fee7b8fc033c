//! STS over the AWS query protocol: `POST /` with an
//! `application/x-www-form-urlencoded` body carrying `Action=<Op>` (and
//! `Version=2011-06-15`). Only `GetCallerIdentity` is implemented; it answers
//! `text/xml` with the account from [`crate::FakeOptions::account_id`] and the
//! user `arn:aws:iam::<account>:user/fake`. Errors use the query protocol's
//! XML form, `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code>…`;
//! an unknown action is 400 `InvalidAction`.

use crate::util::xml_escape;
use crate::{ApiError, Ctx, Handled, Reply};

const NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

pub(crate) fn error_reply(e: &ApiError, request_id: &str) -> Reply {
    let side = if e.status >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    let body = format!(
        "<ErrorResponse xmlns=\"{NS}\"><Error><Type>{side}</Type><Code>{}</Code><Message>{}</Message></Error>\
         <RequestId>{}</RequestId></ErrorResponse>",
        xml_escape(&e.code),
        xml_escape(&e.message),
        xml_escape(request_id),
    );
    Reply {
        status: e.status,
        headers: vec![("content-type", "text/xml".to_string())],
        body: body.into_bytes(),
    }
}

pub(crate) fn handle(ctx: &Ctx<'_>, op: &str, _body: &[u8]) -> Handled {
    match op {
        "GetCallerIdentity" => {
            let acct = xml_escape(ctx.account());
            let body = format!(
                "<GetCallerIdentityResponse xmlns=\"{NS}\"><GetCallerIdentityResult>\
                 <Arn>arn:aws:iam::{acct}:user/fake</Arn><UserId>AIDAFAKE</UserId><Account>{acct}</Account>\
                 </GetCallerIdentityResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata>\
                 </GetCallerIdentityResponse>",
                ctx.request_id
            );
            Handled {
                result: Ok(Reply {
                    status: 200,
                    headers: vec![("content-type", "text/xml".to_string())],
                    body: body.into_bytes(),
                }),
                datapoints: 0,
            }
        }
        other => Handled::err(ApiError::bad(
            "InvalidAction",
            format!("Could not find operation {other} for version 2011-06-15"),
        )),
    }
}
