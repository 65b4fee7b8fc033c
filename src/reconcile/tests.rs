use super::*;

fn m(v: i64) -> MicroUsd {
    MicroUsd(v)
}

#[test]
fn variance_percent_and_flag() {
    let t = Decimal::from(10);
    assert_eq!(
        variance(m(12_500_000), m(16_250_000), t),
        (m(3_750_000), Some(Decimal::from(30)), true)
    );
    assert_eq!(
        variance(m(30_000), m(30_000), t),
        (m(0), Some(Decimal::ZERO), false)
    );
    // Exactly at the threshold is not above it.
    assert!(!variance(m(100), m(110), t).2);
    // Nothing modeled: no percentage; flagged when something was billed.
    assert_eq!(variance(m(0), m(50_000), t), (m(50_000), None, true));
    assert_eq!(variance(m(0), m(0), t), (m(0), None, false));
}

#[test]
fn volume_and_price_effects_add_up() {
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    // 30 GB modeled for $12.50, 37.5 GB billed for $16.25.
    let (vol, price) = effects(d("30"), m(12_500_000), d("37.5"), m(3_750_000));
    assert_eq!(vol, m(3_125_000));
    assert_eq!(price, m(625_000));
    let (vol, price) = effects(Decimal::ZERO, m(0), d("10"), m(50_000));
    assert_eq!((vol, price), (m(50_000), m(0)));
}

#[test]
fn credits_fold_into_their_component() {
    assert_eq!(
        credited(Component::FreeTierIngest),
        Component::CloudwatchIngest
    );
    assert_eq!(
        credited(Component::FreeTierEgress),
        Component::EgressInternet
    );
    assert!(is_credit(Component::FreeTierLambdaDuration));
    assert!(!is_credit(Component::Storage));
    assert!(!billable(Component::EgressSameRegion));
    assert!(threshold(-1.0).is_err());
    assert_eq!(threshold(10.0).unwrap(), Decimal::from(10));
}
