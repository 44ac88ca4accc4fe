import gc

from portal.core.gc_tuning import YOUNG_GENERATION, tune_for_serving


def test_a_serving_process_freezes_what_it_loaded_and_collects_the_young_generation_less_often():
    before = gc.get_threshold()
    try:
        tune_for_serving()
        assert gc.get_freeze_count() > 10_000, "the loaded modules are out of the collector's way"
        assert gc.get_threshold() == (YOUNG_GENERATION, *before[1:])
        assert gc.isenabled(), "cycles are still collected"
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
