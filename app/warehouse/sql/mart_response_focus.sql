-- grain: one row per survey response that rated at least one touchpoint: the touchpoint it rated
-- lowest on the 0–100 scale (ties: a moment of truth first, then journey order). A comment is read
-- as being about this touchpoint, and a detractor's follow-up case goes to its department.
select response_id, touchpoint_id, stage_id, rating, score_100
from (
    select r.response_id, r.touchpoint_id, r.stage_id, r.rating, r.score_100,
           row_number() over (
               partition by r.response_id
               order by r.score_100, t.is_moment_of_truth desc, r.stage_order, r.touchpoint_order
           ) as rn
    from mart_ratings r
    join dim_touchpoints t using (touchpoint_id)
)
where rn = 1
