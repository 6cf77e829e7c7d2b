-- Version 3 (migration 8b3e5d1c2a47): a receipt opens its layer dated the posting, not the dates it carried.
-- Version 2 (migration c4d1e7a90b12): idempotency keys per caller, the posting's document, layer draws.
-- A single move's happy path in one round trip (openvmi.ledger.fast_path). The caller has checked
-- the move against ledger.rules and knows its locations and owners exist and whether each place is
-- physical; this writes what ledger.planner would plan, or, for anything but the plain happy path
-- (an unknown item, a shortfall, a used key), writes nothing and returns a NULL move_id so that
-- the Python path decides and reports. Never edit a released version: add the next one.
CREATE FUNCTION ledger_post_one_move(
    p_item_id integer, p_quantity numeric, p_from_location_id integer, p_from_owner_id integer,
    p_to_location_id integer, p_to_owner_id integer, p_kind varchar, p_reference varchar,
    p_actor_id integer, p_caller_key varchar, p_idempotency_key varchar, p_request_hash varchar,
    p_document_kind varchar, p_document_id integer, p_now timestamptz, p_balances_known boolean,
    p_source_physical boolean, p_target_physical boolean,
    OUT move_id integer, OUT posting_id integer,
    OUT source_id integer, OUT source_on_hand numeric, OUT target_id integer, OUT target_on_hand numeric,
    OUT drawn_ids integer[], OUT drawn_left numeric[])
LANGUAGE plpgsql AS $$
DECLARE
    balance record;
    layer record;
    source_physical boolean;
    target_physical boolean;
    remaining numeric := p_quantity;
    taken numeric;
    locked integer := 0;
BEGIN
    IF p_balances_known THEN
        NULL;  -- the caller has seen both exist: nothing to look up
    ELSIF (SELECT count(*) FROM stock_balance b
           WHERE (b.item_id, b.location_id, b.owner_id) IN ((p_item_id, p_from_location_id, p_from_owner_id),
                                                             (p_item_id, p_to_location_id, p_to_owner_id))) <> 2 THEN
        IF NOT EXISTS (SELECT 1 FROM item WHERE id = p_item_id) THEN
            RETURN;
        END IF;
        -- As ledger.locks: missing balances are created before any row lock, in key order.
        INSERT INTO stock_balance (item_id, location_id, owner_id, on_hand, is_physical, updated_at)
        SELECT k.item_id, k.location_id, k.owner_id, 0, k.is_physical, p_now
        FROM (VALUES (p_item_id, p_from_location_id, p_from_owner_id, p_source_physical),
                     (p_item_id, p_to_location_id, p_to_owner_id, p_target_physical))
             AS k(item_id, location_id, owner_id, is_physical)
        ORDER BY k.item_id, k.location_id, k.owner_id
        ON CONFLICT (item_id, location_id, owner_id) DO NOTHING;
    END IF;
    IF p_idempotency_key IS NOT NULL THEN
        -- As in Python: a concurrent retry waits here on the unique index before any lock.
        INSERT INTO posting (caller_key, idempotency_key, request_hash, document_kind, document_id,
                             created_by_id, created_at)
        VALUES (p_caller_key, p_idempotency_key, p_request_hash, p_document_kind, p_document_id, p_actor_id, p_now)
        ON CONFLICT (caller_key, idempotency_key) DO NOTHING
        RETURNING id INTO posting_id;
        IF posting_id IS NULL THEN  -- a replay, a mismatch or a concurrent request: Python answers
            RETURN;
        END IF;
    END IF;
    FOR balance IN
        SELECT b.id, b.item_id, b.location_id, b.owner_id, b.on_hand, b.is_physical FROM stock_balance b
        WHERE (b.item_id, b.location_id, b.owner_id) IN ((p_item_id, p_from_location_id, p_from_owner_id),
                                                          (p_item_id, p_to_location_id, p_to_owner_id))
        ORDER BY b.id FOR UPDATE
    LOOP
        locked := locked + 1;
        IF balance.location_id = p_from_location_id AND balance.owner_id = p_from_owner_id THEN
            source_id := balance.id; source_on_hand := balance.on_hand; source_physical := balance.is_physical;
        ELSE
            target_id := balance.id; target_on_hand := balance.on_hand; target_physical := balance.is_physical;
        END IF;
    END LOOP;
    IF locked <> 2 OR (source_physical AND source_on_hand < p_quantity) THEN
        -- A shortfall (or a balance rolled back since it was seen): Python decides and reports.
        IF posting_id IS NOT NULL THEN
            DELETE FROM posting WHERE id = posting_id;
        END IF;
        posting_id := NULL; source_id := NULL; target_id := NULL;
        source_on_hand := NULL; target_on_hand := NULL;
        RETURN;
    END IF;
    -- Each statement costs a round of the executor: writes that go together share one.
    IF posting_id IS NULL THEN
        WITH new_posting AS (
            INSERT INTO posting (caller_key, idempotency_key, request_hash, document_kind, document_id,
                                 created_by_id, created_at)
            VALUES (p_caller_key, NULL, p_request_hash, p_document_kind, p_document_id, p_actor_id, p_now)
            RETURNING id)
        INSERT INTO stock_move (posting_id, item_id, quantity, from_location_id, from_owner_id, to_location_id,
                                to_owner_id, kind, reference, reverses_move_id, created_by_id, created_at)
        SELECT new_posting.id, p_item_id, p_quantity, p_from_location_id, p_from_owner_id, p_to_location_id,
               p_to_owner_id, p_kind, p_reference, NULL, p_actor_id, p_now FROM new_posting
        RETURNING id, stock_move.posting_id INTO move_id, posting_id;
    ELSE
        INSERT INTO stock_move (posting_id, item_id, quantity, from_location_id, from_owner_id, to_location_id,
                                to_owner_id, kind, reference, reverses_move_id, created_by_id, created_at)
        VALUES (posting_id, p_item_id, p_quantity, p_from_location_id, p_from_owner_id, p_to_location_id,
                p_to_owner_id, p_kind, p_reference, NULL, p_actor_id, p_now)
        RETURNING id INTO move_id;
    END IF;
    source_on_hand := source_on_hand - p_quantity;
    target_on_hand := target_on_hand + p_quantity;
    UPDATE stock_balance SET on_hand = CASE WHEN id = source_id THEN source_on_hand ELSE target_on_hand END,
                             updated_at = p_now
    WHERE id IN (source_id, target_id);
    drawn_ids := '{}'; drawn_left := '{}';
    IF source_physical THEN
        -- FIFO, oldest first; moved stock keeps its receipt date at a physical target, except by a receipt.
        FOR layer IN
            SELECT r.id, r.quantity_left, r.received_at FROM receipt_layer r
            WHERE r.item_id = p_item_id AND r.location_id = p_from_location_id AND r.owner_id = p_from_owner_id
              AND r.quantity_left > 0
            ORDER BY r.received_at, r.id
        LOOP
            EXIT WHEN remaining <= 0;
            taken := least(layer.quantity_left, remaining);
            remaining := remaining - taken;
            -- Draw, and record what the move took from the layer so that a reversal can give it back.
            WITH drawn AS (
                UPDATE receipt_layer SET quantity_left = layer.quantity_left - taken WHERE id = layer.id
                RETURNING id)
            INSERT INTO layer_draw (move_id, layer_id, owner_id, quantity)
            SELECT move_id, drawn.id, p_from_owner_id, taken FROM drawn;
            drawn_ids := drawn_ids || layer.id;
            drawn_left := drawn_left || (layer.quantity_left - taken);
            IF target_physical AND p_kind <> 'receipt' THEN
                INSERT INTO receipt_layer (item_id, location_id, owner_id, move_id, quantity_received,
                                           quantity_left, received_at)
                VALUES (p_item_id, p_to_location_id, p_to_owner_id, move_id, taken, taken, layer.received_at);
            END IF;
        END LOOP;
    END IF;
    -- As ledger.rules.starts_its_own_age: received stock ages from its arrival.
    IF target_physical AND (p_kind = 'receipt' OR NOT source_physical) THEN
        INSERT INTO receipt_layer (item_id, location_id, owner_id, move_id, quantity_received, quantity_left,
                                   received_at)
        VALUES (p_item_id, p_to_location_id, p_to_owner_id, move_id, p_quantity, p_quantity, p_now);
    END IF;
END
$$
