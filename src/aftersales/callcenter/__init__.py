"""Call-center operations analytics and staffing (呼叫中心运营指标、排班测算)."""
