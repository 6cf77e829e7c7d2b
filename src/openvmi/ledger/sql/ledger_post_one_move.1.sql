-- Version 1 (migration 335ec1e1aa00). Kept so that downgrades can restore it; never edit a released version.
CREATE FUNCTION ledger_post_one_move(
    p_item_id integer, p_quantity numeric, p_from_location_id integer, p_from_owner_id integer,
    p_to_location_id integer, p_to_owner_id integer, p_kind varchar, p_reference varchar,
    p_actor_id integer, p_idempotency_key varchar, p_request_hash varchar, p_now timestamptz,
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
    IF p_idempotency_key IS NOT NULL THEN
        -- As in Python: a concurrent retry waits here on the unique index before any lock.
        INSERT INTO posting (idempotency_key, request_hash, created_by_id, created_at)
        VALUES (p_idempotency_key, p_request_hash, p_actor_id, p_now)
        ON CONFLICT (idempotency_key) DO NOTHING
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
        -- A balance to create (or an unknown reference), or a shortfall: Python decides and reports.
        IF posting_id IS NOT NULL THEN
            DELETE FROM posting WHERE id = posting_id;
        END IF;
        posting_id := NULL; source_id := NULL; target_id := NULL;
        source_on_hand := NULL; target_on_hand := NULL;
        RETURN;
    END IF;
    IF posting_id IS NULL THEN
        INSERT INTO posting (idempotency_key, request_hash, created_by_id, created_at)
        VALUES (NULL, p_request_hash, p_actor_id, p_now) RETURNING id INTO posting_id;
    END IF;
    INSERT INTO stock_move (posting_id, item_id, quantity, from_location_id, from_owner_id, to_location_id,
                            to_owner_id, kind, reference, created_by_id, created_at)
    VALUES (posting_id, p_item_id, p_quantity, p_from_location_id, p_from_owner_id, p_to_location_id,
            p_to_owner_id, p_kind, p_reference, p_actor_id, p_now)
    RETURNING id INTO move_id;
    source_on_hand := source_on_hand - p_quantity;
    target_on_hand := target_on_hand + p_quantity;
    UPDATE stock_balance SET on_hand = CASE WHEN id = source_id THEN source_on_hand ELSE target_on_hand END,
                             updated_at = p_now
    WHERE id IN (source_id, target_id);
    drawn_ids := '{}'; drawn_left := '{}';
    IF source_physical THEN
        -- FIFO, oldest first; moved stock keeps its receipt date at a physical target.
        FOR layer IN
            SELECT r.id, r.quantity_left, r.received_at FROM receipt_layer r
            WHERE r.item_id = p_item_id AND r.location_id = p_from_location_id AND r.owner_id = p_from_owner_id
              AND r.quantity_left > 0
            ORDER BY r.received_at, r.id
        LOOP
            EXIT WHEN remaining <= 0;
            taken := least(layer.quantity_left, remaining);
            remaining := remaining - taken;
            UPDATE receipt_layer SET quantity_left = layer.quantity_left - taken WHERE id = layer.id;
            drawn_ids := drawn_ids || layer.id;
            drawn_left := drawn_left || (layer.quantity_left - taken);
            IF target_physical THEN
                INSERT INTO receipt_layer (item_id, location_id, owner_id, move_id, quantity_received,
                                           quantity_left, received_at)
                VALUES (p_item_id, p_to_location_id, p_to_owner_id, move_id, taken, taken, layer.received_at);
            END IF;
        END LOOP;
    ELSIF target_physical THEN
        INSERT INTO receipt_layer (item_id, location_id, owner_id, move_id, quantity_received, quantity_left,
                                   received_at)
        VALUES (p_item_id, p_to_location_id, p_to_owner_id, move_id, p_quantity, p_quantity, p_now);
    END IF;
END
$$
