//! Where log groups' data comes from, through the SDK: the vended-log delivery listings of
//! CloudWatch Logs (DescribeDeliveries, DescribeDeliverySources, DescribeDeliveryDestinations),
//! paced by the limiter like every sampling call (`logs_paced`, SDK retries off); and where a
//! Firehose stream delivers (DescribeDeliveryStream).

use super::*;

impl SdkRegion {
    pub(super) async fn deliveries_page(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<DeliveryInfo>, Option<String>)> {
        let out = self
            .logs_paced
            .describe_deliveries()
            .limit(50)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_err("logs:DescribeDeliveries", e).in_region(&self.region))?;
        let items = out
            .deliveries()
            .iter()
            .map(|d| DeliveryInfo {
                source_name: d.delivery_source_name().unwrap_or_default().to_string(),
                destination_arn: d.delivery_destination_arn().unwrap_or_default().to_string(),
            })
            .collect();
        Ok((items, out.next_token().map(str::to_string)))
    }

    pub(super) async fn delivery_sources_page(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<DeliverySourceInfo>, Option<String>)> {
        let out = self
            .logs_paced
            .describe_delivery_sources()
            .limit(50)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_err("logs:DescribeDeliverySources", e).in_region(&self.region))?;
        let items = out
            .delivery_sources()
            .iter()
            .map(|s| DeliverySourceInfo {
                name: s.name().unwrap_or_default().to_string(),
                service: s.service().unwrap_or_default().to_string(),
                log_type: s.log_type().unwrap_or_default().to_string(),
                resource_arns: s.resource_arns().to_vec(),
            })
            .collect();
        Ok((items, out.next_token().map(str::to_string)))
    }

    pub(super) async fn delivery_destinations_page(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<DeliveryDestinationInfo>, Option<String>)> {
        let out = self
            .logs_paced
            .describe_delivery_destinations()
            .limit(50)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_err("logs:DescribeDeliveryDestinations", e).in_region(&self.region))?;
        let items = out
            .delivery_destinations()
            .iter()
            .map(|d| DeliveryDestinationInfo {
                arn: d.arn().unwrap_or_default().to_string(),
                destination_type: d
                    .delivery_destination_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                resource_arn: d
                    .delivery_destination_configuration()
                    .map(|c| c.destination_resource_arn().to_string())
                    .unwrap_or_default(),
            })
            .collect();
        Ok((items, out.next_token().map(str::to_string)))
    }

    pub(super) async fn firehose_endpoints(&self, stream_name: String) -> Result<Vec<String>> {
        let out = self
            .firehose
            .describe_delivery_stream()
            .delivery_stream_name(stream_name)
            .send()
            .await
            .map_err(|e| map_err("firehose:DescribeDeliveryStream", e).in_region(&self.region))?;
        Ok(out
            .delivery_stream_description()
            .map(|d| {
                d.destinations()
                    .iter()
                    .filter_map(|x| {
                        x.http_endpoint_destination_description()?
                            .endpoint_configuration()?
                            .url()
                            .map(str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default())
    }
}
