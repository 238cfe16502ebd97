"""What a table of results says, in sentences computed from it: the paper's claim, the
course's targets, and the verdicts on the models beyond the paper."""

from helpers import verdicts


def row(key, mse, sharp):
    return {"id": key, "method": key, "hole_mse": mse, "sharpness_ratio": sharp, "n_images": 10}


def test_conclusion_follows_the_numbers():
    classical = row("telea", 0.035, 0.4)
    agree = verdicts.conclusion([classical, row("autoencoder", 0.020, 0.5), row("gan", 0.021, 0.9)])
    assert agree[-1] == "So this run supports the paper's claim."
    assert any("Lowest hole MSE: autoencoder" in line for line in agree)
    disagree = verdicts.conclusion([classical, row("autoencoder", 0.020, 0.9), row("gan", 0.040, 0.5)])
    assert disagree[-1] == "So this run does not support the paper's claim."
    half = verdicts.conclusion([classical, row("autoencoder", 0.020, 0.5), row("gan", 0.040, 0.9)])
    assert half[-1] == "So this run supports half of the paper's claim."
    barely = verdicts.conclusion([classical, row("autoencoder", 0.020, 0.37), row("gan", 0.021, 0.40)])
    assert "not clearly sharper" in barely[-2], "0.40 against 0.37 is not a clear margin"
    assert barely[-1] == "So this run supports half of the paper's claim."
    noisy = verdicts.conclusion([classical, row("autoencoder", 0.020, 0.6), row("gan", 0.021, 1.6)])
    assert noisy[-1] == "So this run supports half of the paper's claim.", "too sharp is not closer to 1.0"
    copied = verdicts.conclusion([classical, row("shiftmap", 0.099, 0.9), row("autoencoder", 0.020, 0.5)])
    assert copied[1] == ("Sharpness closest to the real patches: shiftmap (ratio 0.90; 1.00 is as sharp as the "
                         "truth), but its hole MSE (0.0990) is the highest in the table.")
    assert agree[1].endswith("as sharp as the truth)."), "no 'but' where the sharpest is not the worst"
    only_classical = verdicts.conclusion([classical])
    assert len(only_classical) == 2
    # a model beyond the paper is not a classical fill, and "similar" is measured from the AE
    beyond = verdicts.conclusion([classical, row("pconv", 0.010, 0.4), row("autoencoder", 0.020, 0.5),
                                row("gan", 0.0228, 0.9)])
    assert any("43% below that of the best classical fill (telea" in line for line in beyond)
    assert any("GAN's hole MSE is 14% above the autoencoder's (similar" in line for line in beyond)
    variant = verdicts.paper_claim([classical, row("autoencoder", 0.020, 0.5), row("gan", 0.040, 0.9),
                                  row("gan-averaged", 0.021, 0.8)], gan="gan-averaged", subject="the variant")
    assert variant[-1] == "So the variant supports the paper's claim." and "5% above" in variant[0]
    assert verdicts.paper_claim([classical, row("autoencoder", 0.020, 0.5)], gan="gan-averaged") == []


def test_beyond_the_paper_verdict_follows_the_numbers():
    centre = [dict(row("autoencoder", 0.026, 0.5), hole_psnr=16.7), dict(row("pconv", 0.02, 0.6), hole_psnr=17.8)]
    free = [row("telea", 0.030, 0), row("biharmonic", 0.028, 0), row("pconv", 0.018, 0)]
    met = verdicts.beyond_the_paper_verdict(centre, free, {"pconv": 1000, "autoencoder": 500})
    assert "+1.10 dB" in met[0] and met[0].endswith("met.") and "1,000 training images" in met[0]
    assert "40% below telea" in met[1] and "36% below biharmonic" in met[1] and met[1].endswith(": met.")
    centre[1]["hole_psnr"] = 17.5
    free[2]["hole_mse"] = 0.020                      # 29 % below biharmonic: short of 30 %
    missed = verdicts.beyond_the_paper_verdict(centre, free)
    assert all(line.endswith("not met.") for line in missed) and "training images" not in missed[0]
    free[2]["hole_mse"] = 0.032
    assert "7% above telea" in verdicts.beyond_the_paper_verdict(centre, free)[1]
    assert verdicts.beyond_the_paper_verdict(centre[:1], free[:2]) == []


def test_beyond_the_paper_says_the_numbers_without_targets():
    centre = [dict(row("autoencoder", 0.026, 0.5), hole_psnr=16.7), dict(row("pconv", 0.02, 0.6), hole_psnr=17.8)]
    free = [row("telea", 0.030, 0), row("biharmonic", 0.028, 0), row("pconv", 0.018, 0)]
    lines = verdicts.beyond_the_paper(centre, free, {"pconv": 1000, "autoencoder": 500})
    assert lines == ["Centre square: pconv after 1,000 training images +1.10 dB mean hole PSNR against autoencoder "
                     "after 500 training images (17.80 against 16.70 dB).",
                     "Free-form holes: pconv hole MSE 0.0180, 40% below telea (0.0300), 36% below biharmonic (0.0280)."]
    assert not any("target" in line or "met" in line.split() for line in lines)
    verdict = verdicts.beyond_the_paper_verdict(centre, free, {"pconv": 1000, "autoencoder": 500})
    assert [v.split(";")[0] for v in verdict] == [line[:-1].split(";")[0] for line in lines]
    assert verdicts.beyond_the_paper(centre[:1], free[:2]) == []


def test_target_lines_say_met_or_not_from_the_numbers():
    rows = [{"id": "autoencoder", "method": "AE", "hole_mse": 0.0246},
            {"id": "autoencoder-regularized", "method": "AE-R", "hole_mse": 0.0219}]
    mirror = [{"id": "autoencoder", "method": "AE, m", "hole_mse": 0.0238}]
    lines = verdicts.target_lines(rows, mirror)
    assert lines[0].startswith("AE: target hole MSE at most 0.024; 0.0246 as trained (not met), "
                               "0.0238 mirror-averaged (met;")
    assert lines[1] == "AE-R: target hole MSE at most 0.022; 0.0219 as trained (met)."
    assert verdicts.target_lines(rows[:1], None, {"other": 0.1}) == []
    close = [{"id": "autoencoder", "method": "AE", "hole_mse": 0.02402},
             {"id": "autoencoder-regularized", "method": "AE-R", "hole_mse": 0.022004}]
    assert verdicts.target_lines(close, None) == [
        "AE: target hole MSE at most 0.024; 0.02402 as trained (not met).",  # not "0.0240 (not met)"
        "AE-R: target hole MSE at most 0.022; 0.02200 as trained (not met)."]


def test_longer_training_lines_say_what_was_bought_and_what_it_cost():
    short = {"method": "GAN (paper)", "sharpness_ratio": 0.671, "hole_mse": 0.02818, "hole_psnr": 16.29}
    long = {"method": "GAN, longer", "sharpness_ratio": 0.874, "hole_mse": 0.03104, "hole_psnr": 15.8}
    lines = verdicts.longer_training_lines(short, long, 80_000, 16_923, 10_000, "CIFAR-10")
    assert lines[0] == ("Sharpness ratio: GAN (paper) (16,923 iterations) 0.67, GAN, longer (80,000) 0.87: "
                        "0.20 closer to the real patches' 1.00.")
    assert lines[1] == ("Hole MSE: 0.0282 and 0.0310, 10% higher after the longer training (mean hole PSNR "
                        "16.29 and 15.80 dB); 10,000 test images of CIFAR-10, [0, 1].")
    assert lines[2] == "So the 63,077 more iterations bought sharper fills and cost a higher error."
    both = verdicts.longer_training_lines(short, {**long, "hole_mse": 0.025}, 80_000, 16_923, 10, "x")[2]
    assert both.endswith("bought sharper fills and a lower error and cost nothing measured here.")
