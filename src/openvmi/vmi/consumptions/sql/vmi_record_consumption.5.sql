-- Version 5 (migration 2026_12_08_1000). A consumption's happy path in one round trip
-- (openvmi.vmi.consumptions.fast_path): names -> ids, the agreement in force, the price break of the
-- plant's local day, the document (with its Idempotency-Key), the posting with one ownership move per
-- line, the FIFO drain, the settlement line and the consumption line, and each line's supplier stock
-- before and after for the alert check. It writes exactly what the Python path (service.record_consumption
-- -> ledger.post_moves -> settlement.record_lines) writes, or, for anything but the plain happy path (an
-- unknown code, no single agreement, no price, short stock, a used key, a balance past its limit),
-- writes nothing and returns a NULL consumption_id so that the Python path decides and reports: errors
-- have one implementation. tests/service/ledger/test_fast_path.py compares every column both write.
-- The caller passes what stays in Python: the local day, the currencies whose minor unit is not 2
-- (babel's CLDR data), the quantities as the request's JSON spells them (the posting's fingerprint),
-- whether a production place is physical. Never edit a released version: add the next one.
-- A single line runs on the statements' cached generic plans (plan_cache_mode, for this call only, as in
-- version 3): with arrays as parameters the custom plan always looks cheaper, so PostgreSQL would plan
-- every statement again on every call. Batches plan in the session's mode.
-- Since version 3: fewer statements, the same rows (each statement costs an executor start, a snapshot
-- and a plan-cache check, which for a single line cost more than its rows). The resolution query also
-- finds each line's supplier balance (missing, or short of what the lines on it want together: Python
-- reports, before any write) and whether a production balance is missing. The locking statement answers
-- each line's stock before and after. The posting, the
-- moves, the draws, the settlement and consumption lines and the balances go in one statement. For a
-- single line the plan mode and the move id are plain assignments (no query, so no executor start).
-- Since version 4: every balance and layer is found through its index whatever the tables' size. A single
-- line's cached generic plans are estimated for ten lines, and against small tables that made a sequential
-- scan and a hash join look cheaper than ten index probes: the locking statement, the FIFO's open layers and
-- the balance updates read every row of stock_balance or receipt_layer on every call. Now the locking
-- statement finds each balance's id by its key first and locks the rows by id (still sorted, then locked),
-- the open layers are read per balance through the FIFO index, and the balances to update are found by id.
-- With version 1's vmi_consumption_plan_line, and no settlement_line.statement_id.
CREATE FUNCTION vmi_record_consumption(
    p_item_codes varchar[], p_item_ids integer[], p_location_codes varchar[], p_location_ids integer[],
    p_supplier_codes varchar[], p_supplier_ids integer[], p_quantities numeric[], p_quantity_texts varchar[],
    p_reference varchar, p_caller_key varchar, p_idempotency_key varchar, p_request_hash varchar,
    p_actor_id integer, p_now timestamptz, p_day date, p_odd_currencies varchar[], p_odd_places integer[],
    p_max_quantity numeric, p_production_physical boolean,
    OUT consumption_id integer, OUT agreement_ids integer[], OUT min_levels numeric[], OUT max_levels numeric[],
    OUT stock_before numeric[], OUT stock_after numeric[], OUT balance_ids integer[], OUT balance_on_hands numeric[],
    OUT drawn_ids integer[], OUT drawn_left numeric[])
LANGUAGE plpgsql AS $$
DECLARE
    lines vmi_consumption_plan_line[];
    usable boolean;
    bad boolean;
    production_missing boolean;
    v_move_ids integer[];
    v_reference varchar;
    plan_mode text;
    ignored text;
BEGIN
    -- One line: the generic plans (see the header), set for this transaction and put back below, so the
    -- caller's own statements after the call plan as before.
    IF cardinality(p_quantities) = 1 THEN
        plan_mode := current_setting('plan_cache_mode');
        ignored := set_config('plan_cache_mode', 'force_generic_plan', true);  -- an assignment: no executor
    END IF;
    <<body>>  -- left by EXIT body where the work ends early, so the plan mode is always put back
    BEGIN
    -- Every line resolved as service._checked_lines resolves it; one row per line, in line order. With it,
    -- each line's supplier balance (missing, or short of what the lines on it want together: Python
    -- reports, before any write) and whether a production balance is missing (once a balance exists it
    -- stays).
    SELECT array_agg(ROW(r.n, r.quantity, r.quantity_text, r.item_id, r.location_id, r.production_id, r.buyer_id,
                         r.agreement_id, r.supplier_id, r.supplier_item_id, r.currency, r.tax_rate_percent,
                         r.min_level, r.max_level, r.price)::vmi_consumption_plan_line ORDER BY r.n),
           bool_and(r.agreements = 1 AND r.price IS NOT NULL AND r.price_currency = r.currency
                    AND r.production_id IS NOT NULL AND r.buyer_kind = 'buyer'
                    AND EXISTS (SELECT 1 FROM stock_balance b
                                WHERE (b.item_id, b.location_id, b.owner_id) = (r.item_id, r.location_id, r.supplier_id)
                                  AND NOT (b.is_physical AND b.on_hand < r.wanted))),
           bool_or(NOT EXISTS (SELECT 1 FROM stock_balance b WHERE (b.item_id, b.location_id, b.owner_id)
                                                                   = (r.item_id, r.production_id, r.buyer_id)))
    INTO lines, usable, production_missing
    FROM (
        SELECT l.n, l.quantity, l.quantity_text, x.item_id, x.location_id, x.production_id, x.buyer_id, x.buyer_kind,
               a.agreements, a.agreement_id, a.supplier_id, a.supplier_item_id, a.currency, a.tax_rate_percent,
               a.min_level, a.max_level, pr.price, pr.currency AS price_currency,
               sum(l.quantity) OVER (PARTITION BY x.item_id, x.location_id, a.supplier_id) AS wanted
        FROM unnest(p_item_codes, p_item_ids, p_location_codes, p_location_ids, p_supplier_codes, p_supplier_ids,
                    p_quantities, p_quantity_texts)
             WITH ORDINALITY AS l(item_code, item_id, location_code, location_id, supplier_code, supplier_id,
                                  quantity, quantity_text, n)
        CROSS JOIN LATERAL (
            SELECT CASE WHEN l.item_code IS NOT NULL THEN (SELECT i.id FROM item i WHERE i.code = l.item_code)
                        ELSE (SELECT i.id FROM item i WHERE i.id = l.item_id) END AS item_id,
                   s.id AS location_id,
                   -- shipments.queries.default_place_id: at the plant, else belonging to no plant, lowest id.
                   (SELECT p.id FROM location p WHERE p.kind = 'production' AND p.active AND p.supplier_id IS NULL
                      AND (p.plant_id = s.plant_id OR p.plant_id IS NULL)
                    ORDER BY p.plant_id IS NULL, p.id LIMIT 1) AS production_id,
                   pl.party_id AS buyer_id, (SELECT kind FROM party WHERE id = pl.party_id) AS buyer_kind,
                   CASE WHEN l.supplier_code IS NOT NULL
                        THEN (SELECT id FROM party WHERE kind = 'supplier' AND code = l.supplier_code)
                        ELSE (SELECT id FROM party WHERE kind = 'supplier' AND id = l.supplier_id) END AS named_supplier
            FROM (SELECT 1) one
            LEFT JOIN location s ON s.kind = 'vmi' AND s.active AND s.id = CASE
                WHEN l.location_code IS NOT NULL THEN (SELECT c.id FROM location c WHERE c.code = l.location_code)
                ELSE l.location_id END
            LEFT JOIN plant pl ON pl.id = s.plant_id) x
        LEFT JOIN LATERAL (
            SELECT count(*) OVER () AS agreements, va.id AS agreement_id, va.supplier_id, va.supplier_item_id,
                   va.currency, va.tax_rate_percent, va.min_level, va.max_level
            -- The item's supplier items first, then each one's agreement at the store (uq_vmi_agreement_active);
            -- OFFSET 0 keeps the planner from starting at every agreement of the store instead.
            FROM supplier_item si
            CROSS JOIN LATERAL (
                SELECT * FROM vmi_agreement v
                WHERE v.supplier_item_id = si.id AND v.location_id = x.location_id AND v.state = 'active'
                  AND v.valid_from <= p_day AND (v.valid_to IS NULL OR v.valid_to >= p_day)
                OFFSET 0) va
            WHERE si.item_id = x.item_id
              AND (va.supplier_id = x.named_supplier OR (l.supplier_code IS NULL AND l.supplier_id IS NULL))
            ORDER BY va.id LIMIT 1) a ON true
        -- catalog.rules.price_on: the set with the latest start not after the day, unless it has ended;
        -- in it, the highest minimum quantity not above the line's.
        LEFT JOIN LATERAL (
            SELECT sp.price, sp.currency FROM supplier_item_price sp
            WHERE sp.supplier_item_id = a.supplier_item_id AND sp.min_quantity <= l.quantity
              AND sp.valid_from = (SELECT max(q.valid_from) FROM supplier_item_price q
                                   WHERE q.supplier_item_id = a.supplier_item_id AND q.valid_from <= p_day)
              AND NOT EXISTS (SELECT 1 FROM supplier_item_price q WHERE q.supplier_item_id = a.supplier_item_id
                              AND q.valid_from = sp.valid_from AND q.valid_to < p_day)
            ORDER BY sp.min_quantity DESC, sp.id DESC LIMIT 1) pr ON true
    ) r;
    IF NOT coalesce(usable, false) THEN  -- an unknown code, no single agreement, no price, short: Python reports
        EXIT body;
    END IF;
    -- As the Python path: the document first, so a concurrent retry waits here on the unique index.
    INSERT INTO vmi_consumption (reference, caller_key, idempotency_key, request_hash, created_by_id, created_at)
    VALUES (p_reference, p_caller_key, p_idempotency_key, p_request_hash, p_actor_id, p_now)
    ON CONFLICT (caller_key, idempotency_key) DO NOTHING
    RETURNING id INTO consumption_id;
    IF consumption_id IS NULL THEN  -- a retry: Python answers it
        EXIT body;
    END IF;
    v_reference := coalesce(p_reference, 'CONSUMPTION-' || consumption_id);
    -- As ledger.locks: missing balances are created before any row lock, in key order (ON CONFLICT covers
    -- a concurrent creator).
    IF production_missing THEN
        INSERT INTO stock_balance (item_id, location_id, owner_id, on_hand, is_physical, updated_at)
        SELECT DISTINCT l.item_id, l.production_id, l.buyer_id, 0, p_production_physical, p_now
        FROM unnest(lines) l ORDER BY 1, 2, 3
        ON CONFLICT (item_id, location_id, owner_id) DO NOTHING;
    END IF;
    -- Locks in id order (each balance's id found by its key, then the rows by id, sorted, then locked); each
    -- balance's figure after the whole consumption, and each line's supplier stock before and after it for the
    -- VMI level alerts (rules.crosses_a_level). Short since the check above, a balance not found, or past what a
    -- balance keeps exactly (ledger.rules.overflows): bad.
    WITH change AS (
        SELECT k.item_id, k.location_id, k.owner_id, sum(k.change) AS change
        FROM (SELECT l.item_id, l.location_id, l.supplier_id AS owner_id, -l.quantity AS change FROM unnest(lines) l
              UNION ALL
              SELECT l.item_id, l.production_id, l.buyer_id, l.quantity FROM unnest(lines) l) k
        GROUP BY 1, 2, 3),
    locked AS (
        SELECT b.id, b.item_id, b.location_id, b.owner_id, b.on_hand, b.is_physical, d.change
        FROM stock_balance b
        JOIN change d ON (b.item_id, b.location_id, b.owner_id) = (d.item_id, d.location_id, d.owner_id)
        WHERE b.id = ANY(ARRAY(SELECT (SELECT x.id FROM stock_balance x
                                       WHERE (x.item_id, x.location_id, x.owner_id)
                                             = (c.item_id, c.location_id, c.owner_id))
                               FROM change c))
        ORDER BY b.id FOR UPDATE OF b)
    SELECT k.ids, k.on_hands, k.bad OR k.found <> (SELECT count(*) FROM change), s.agreement_ids, s.min_levels,
           s.max_levels, s.before, s.after
    INTO balance_ids, balance_on_hands, bad, agreement_ids, min_levels, max_levels, stock_before, stock_after
    FROM (SELECT array_agg(b.id ORDER BY b.id) AS ids, array_agg(b.on_hand + b.change ORDER BY b.id) AS on_hands,
                 coalesce(bool_or((b.is_physical AND b.on_hand + b.change < 0)
                                  OR (abs(b.on_hand + b.change) > p_max_quantity
                                      AND abs(b.on_hand + b.change) > abs(b.on_hand))), false) AS bad,
                 count(*) AS found
          FROM locked b) k
    CROSS JOIN (SELECT array_agg(l.agreement_id ORDER BY l.n) AS agreement_ids,
                       array_agg(l.min_level ORDER BY l.n) AS min_levels,
                       array_agg(l.max_level ORDER BY l.n) AS max_levels,
                       array_agg(b.on_hand ORDER BY l.n) AS before,
                       array_agg(b.on_hand + b.change ORDER BY l.n) AS after
                FROM unnest(lines) l
                JOIN locked b ON (b.item_id, b.location_id, b.owner_id) = (l.item_id, l.location_id, l.supplier_id)) s;
    IF bad THEN  -- nothing of this stays; Python reports
        DELETE FROM vmi_consumption WHERE id = consumption_id;
        consumption_id := NULL; balance_ids := NULL; balance_on_hands := NULL; agreement_ids := NULL;
        min_levels := NULL; max_levels := NULL; stock_before := NULL; stock_after := NULL;
        EXIT body;
    END IF;
    -- The moves' ids, taken in line order first (as the Python path's INSERT numbers them), so every row
    -- below names its line's move without reading it back.
    IF cardinality(lines) = 1 THEN  -- a plain expression, which PL/pgSQL evaluates without the executor
        v_move_ids := ARRAY[nextval('stock_move_id_seq'::regclass)];
    ELSE
        v_move_ids := ARRAY(SELECT nextval('stock_move_id_seq'::regclass) FROM generate_series(1, cardinality(lines)));
    END IF;
    -- Every write in one statement (the foreign keys are checked at its end, so a row may name another
    -- written beside it). The posting's fingerprint, as ledger.service._hash_request builds it from the
    -- schemas' JSON.
    WITH new_posting AS (
        INSERT INTO posting (caller_key, idempotency_key, request_hash, document_kind, document_id, created_by_id,
                             created_at)
        SELECT p_caller_key, NULL, encode(sha256(convert_to(
                   '{"kind":"consumption","id":' || consumption_id || '}{"moves":['
                   || string_agg('{"item_id":' || l.item_id || ',"quantity":' || to_json(l.quantity_text)
                                 || ',"from_location_id":' || l.location_id || ',"from_owner_id":' || l.supplier_id
                                 || ',"to_location_id":' || l.production_id || ',"to_owner_id":' || l.buyer_id
                                 || ',"kind":"consumption","reference":' || to_json(v_reference)
                                 || ',"reverses_move_id":null}', ',' ORDER BY l.n) || ']}', 'UTF8')), 'hex'),
               'consumption', consumption_id, p_actor_id, p_now
        FROM unnest(lines) l
        RETURNING id),
    moved AS (
        INSERT INTO stock_move (id, posting_id, item_id, quantity, from_location_id, from_owner_id, to_location_id,
                                to_owner_id, kind, reference, reverses_move_id, created_by_id, created_at)
        SELECT v_move_ids[l.n], p.id, l.item_id, l.quantity, l.location_id, l.supplier_id, l.production_id,
               l.buyer_id, 'consumption', v_reference, NULL, p_actor_id, p_now
        FROM unnest(lines) l CROSS JOIN new_posting p ORDER BY l.n),
    -- FIFO, oldest first (the VMI store is physical; production, a sink, keeps no layers): per balance, the
    -- lines in order take consecutive stretches of the open layers in order, so a line draws from a layer
    -- the overlap of the two stretches, as ledger.planner's loop draws them one line after another.
    wanted AS (
        SELECT l.n, v_move_ids[l.n] AS move_id, l.item_id, l.location_id, l.supplier_id,
               sum(l.quantity) OVER w - l.quantity AS start_at, sum(l.quantity) OVER w AS end_at
        FROM unnest(lines) l
        WINDOW w AS (PARTITION BY l.item_id, l.location_id, l.supplier_id ORDER BY l.n)),
    open_layers AS (
        SELECT rl.id, rl.received_at, rl.item_id, rl.location_id, rl.owner_id,
               sum(rl.quantity_left) OVER h - rl.quantity_left AS start_at, sum(rl.quantity_left) OVER h AS end_at
        -- per balance through ix_receipt_layer_fifo (OFFSET 0: not flattened into a join over every layer)
        FROM (SELECT DISTINCT l.item_id, l.location_id, l.supplier_id FROM unnest(lines) l) k
        CROSS JOIN LATERAL (SELECT * FROM receipt_layer r
                            WHERE (r.item_id, r.location_id, r.owner_id) = (k.item_id, k.location_id, k.supplier_id)
                              AND r.quantity_left > 0
                            OFFSET 0) rl
        WINDOW h AS (PARTITION BY rl.item_id, rl.location_id, rl.owner_id ORDER BY rl.received_at, rl.id)),
    taken AS (
        SELECT w.n, w.move_id, w.supplier_id, o.id AS layer_id, o.received_at,
               least(w.end_at, o.end_at) - greatest(w.start_at, o.start_at) AS quantity
        FROM wanted w
        JOIN open_layers o ON (o.item_id, o.location_id, o.owner_id) = (w.item_id, w.location_id, w.supplier_id)
                              AND o.start_at < w.end_at AND w.start_at < o.end_at),
    drawn AS (
        INSERT INTO layer_draw (move_id, layer_id, owner_id, quantity)
        SELECT t.move_id, t.layer_id, t.supplier_id, t.quantity FROM taken t ORDER BY t.n, t.received_at, t.layer_id),
    emptied AS (
        UPDATE receipt_layer rl SET quantity_left = rl.quantity_left - t.quantity
        FROM (SELECT layer_id, sum(quantity) AS quantity FROM taken GROUP BY layer_id) t
        WHERE rl.id = t.layer_id
        RETURNING rl.id, rl.quantity_left),
    -- settlement.rules.owed_row: net = quantity x price, half-up (away from zero) to the minor unit; then each
    -- line's consumption line, naming its move and settlement line.
    owed AS (
        INSERT INTO settlement_line (kind, move_id, reverses_line_id, quantity, unit_price, currency,
                                     tax_rate_percent, net_amount, supplier_id, agreement_id, supplier_item_id,
                                     item_id, price_day, occurred_at)
        SELECT 'consumption', v_move_ids[l.n], NULL, l.quantity, l.price, l.currency, l.tax_rate_percent,
               round(l.quantity * l.price, coalesce(p_odd_places[array_position(p_odd_currencies, l.currency)], 2)),
               l.supplier_id, l.agreement_id, l.supplier_item_id, l.item_id, p_day, p_now
        FROM unnest(lines) l ORDER BY l.n
        RETURNING id, move_id),
    consumption_lines AS (
        INSERT INTO vmi_consumption_line (consumption_id, supplier_id, agreement_id, item_id, location_id,
                                          production_location_id, buyer_id, quantity, move_id, settlement_line_id)
        SELECT consumption_id, l.supplier_id, l.agreement_id, l.item_id, l.location_id, l.production_id, l.buyer_id,
               l.quantity, owed.move_id, owed.id
        FROM unnest(lines) l JOIN owed ON owed.move_id = v_move_ids[l.n]
        ORDER BY l.n),
    balances AS (
        UPDATE stock_balance b SET on_hand = u.on_hand, updated_at = p_now
        FROM unnest(balance_ids, balance_on_hands) AS u(id, on_hand)
        WHERE b.id = ANY(balance_ids) AND b.id = u.id)  -- ANY: the rows by their index, not a join over all
    SELECT coalesce(array_agg(e.id ORDER BY e.id), '{}'), coalesce(array_agg(e.quantity_left ORDER BY e.id), '{}')
    INTO drawn_ids, drawn_left
    FROM emptied e;
    END body;
    IF plan_mode IS NOT NULL THEN
        ignored := set_config('plan_cache_mode', plan_mode, true);
    END IF;
END
$$
