//! Saved Logs Insights query definitions through the SDK (the [`DefinitionsApi`] of
//! [`SdkRegion`]), with the SDK's standard retries: `queries apply` is not paced by the limiter.

use super::*;

impl DefinitionsApi for SdkRegion {
    async fn describe_query_definitions(
        &self,
        prefix: Option<String>,
        next_token: Option<String>,
    ) -> Result<(Vec<QueryDefinition>, Option<String>)> {
        let out = self
            .logs
            .describe_query_definitions()
            .set_query_definition_name_prefix(prefix)
            .max_results(1000)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_err("logs:DescribeQueryDefinitions", e).in_region(&self.region))?;
        let defs = out
            .query_definitions()
            .iter()
            .map(|d| QueryDefinition {
                id: d.query_definition_id().map(str::to_string),
                name: d.name().unwrap_or_default().to_string(),
                query: d.query_string().unwrap_or_default().to_string(),
                log_groups: d.log_group_names().to_vec(),
                language: d
                    .query_language()
                    .map(|l| l.as_str().to_string())
                    .unwrap_or_else(|| "CWLI".into()),
                parameters: d
                    .parameters()
                    .iter()
                    .map(|p| {
                        (
                            p.name().to_string(),
                            p.default_value().map(str::to_string),
                            p.description().map(str::to_string),
                        )
                    })
                    .collect(),
            })
            .collect();
        Ok((defs, out.next_token().map(str::to_string)))
    }

    async fn put_query_definition(
        &self,
        def: QueryDefinition,
        client_token: Option<String>,
    ) -> Result<String> {
        use aws_sdk_cloudwatchlogs::types::{QueryLanguage, QueryParameter};
        let mut params = Vec::new();
        for (name, default, description) in &def.parameters {
            let p = QueryParameter::builder()
                .name(name)
                .set_default_value(default.clone())
                .set_description(description.clone())
                .build()
                .map_err(|e| Error::Internal(format!("query parameter {name}: {e}")))?;
            params.push(p);
        }
        let out = self
            .logs
            .put_query_definition()
            .name(&def.name)
            .query_string(&def.query)
            .set_log_group_names((!def.log_groups.is_empty()).then(|| def.log_groups.clone()))
            .query_language(QueryLanguage::from(def.language.as_str()))
            .set_query_definition_id(def.id.clone())
            .set_parameters((!params.is_empty()).then_some(params))
            .set_client_token(client_token)
            .send()
            .await
            .map_err(|e| map_err("logs:PutQueryDefinition", e).in_region(&self.region))?;
        Ok(out.query_definition_id().unwrap_or_default().to_string())
    }

    async fn delete_query_definition(&self, id: String) -> Result<()> {
        self.logs
            .delete_query_definition()
            .query_definition_id(id)
            .send()
            .await
            .map_err(|e| map_err("logs:DeleteQueryDefinition", e).in_region(&self.region))?;
        Ok(())
    }
}
