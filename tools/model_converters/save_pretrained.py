"""Write a pretrained folder (safetensors + config + model card) from a
config and a checkpoint, optionally pushing it to the Hugging Face Hub.

    python tools/model_converters/save_pretrained.py \
        configs/allinone/retrieval_ti_demo.py \
        work_dirs/retrieval_ti_demo/iter_20.pth pretrained/retrieval_ti_demo
    # later: AllInOneRetrieval.from_pretrained('pretrained/retrieval_ti_demo')
    #        load_from='pretrained/retrieval_ti_demo' in a config

``--push-to-hub owner/name`` uploads the folder (needs a Hub token, e.g.
``hf auth login``). The folder's ``config.json`` holds the model, the test
pipeline and test data settings; the model card is generated from the
config and its ``metafile.yml`` entry.
"""
import argparse

import mmallinone  # noqa: F401,I001
from mmallinone.apis import init_model


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint (.pth, .ckpt, '
                        '.safetensors or a pretrained folder)')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument('--push-to-hub', metavar='REPO_ID',
                        help='also upload to this Hub repository')
    parser.add_argument('--private', action='store_true',
                        help='create the Hub repository as private')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    model = init_model(args.config, args.checkpoint)
    model.save_pretrained(args.out_dir, repo_id=args.push_to_hub,
                          push_to_hub=bool(args.push_to_hub),
                          private=args.private or None)
    print(f'saved a pretrained {type(model).__name__} to {args.out_dir}')
    if args.push_to_hub:
        print(f'pushed to https://huggingface.co/{args.push_to_hub}')


if __name__ == '__main__':
    main()
