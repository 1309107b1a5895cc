"""The runner's messages to the person waiting for the reports."""


def test_the_rendering_message_counts_in_swedish():
    from narvard.pipeline.runner import rendering_message

    assert rendering_message(1, 2) == "Skapar 1 områdesrapport …"
    assert rendering_message(6, 2) == "Skapar 6 områdesrapporter med 2 parallella processer …"
    assert rendering_message(3, 1) == "Skapar 3 områdesrapporter med 1 process …"
    assert rendering_message(2, 4) == "Skapar 2 områdesrapporter med 2 parallella processer …"
